// Module TLSWire: implementation lands with its issue.
enum TLSWireModule {}
