// Module TLSDecryption: implementation lands with its issue.
enum TLSDecryptionModule {}
