/* Mutant: the reader skips R2 and copies while the counter is odd. check.sh requires SPIN to find the error. */
#define MUTANT_NO_ODD_CHECK
#include "handshake.pml"
