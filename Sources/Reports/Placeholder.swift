// Module Reports: implementation lands with its issue.
enum ReportsModule {}
