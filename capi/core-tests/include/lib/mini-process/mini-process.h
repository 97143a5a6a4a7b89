// zxsim's host shim (same as <mini-process/mini-process.h>).
#include <mini-process/mini-process.h>
