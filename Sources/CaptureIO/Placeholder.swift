// Module CaptureIO: implementation lands with its issue.
enum CaptureIOModule {}
