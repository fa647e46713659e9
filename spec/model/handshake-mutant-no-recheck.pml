/* Mutant: the reader skips R5, the second counter read. check.sh requires SPIN to find the error. */
#define MUTANT_NO_RECHECK
#include "handshake.pml"
