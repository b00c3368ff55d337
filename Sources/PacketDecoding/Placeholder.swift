// Module PacketDecoding: implementation lands with its issue.
enum PacketDecodingModule {}
