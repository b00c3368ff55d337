// Module TCPReassembly: implementation lands with its issue.
enum TCPReassemblyModule {}
