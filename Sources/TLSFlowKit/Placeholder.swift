// Module TLSFlowKit: implementation lands with its issue.
enum TLSFlowKitModule {}
