"""党建工作管理系统 (dangjian): grassroots party building for state-owned enterprise groups."""
