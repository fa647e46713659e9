/* Mutant: the host never ends a boost on its own timer. check.sh requires SPIN to find the error. */
#define MUTANT_NO_EXPIRY
#include "handshake.pml"
