// zxsim runs no @next vDSO: tests that need @next syscalls skip.
bool NeedsNextShouldSkip() { return true; }
