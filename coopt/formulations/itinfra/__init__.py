"""Decision problems of the critical-IT-infrastructure coalition paper (Guo, Liu & Nault)."""
