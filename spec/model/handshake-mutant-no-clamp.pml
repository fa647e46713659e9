/* Mutant: the host applies the guest's priority without clamping it to the ceiling. check.sh requires SPIN to find the error. */
#define MUTANT_NO_CLAMP
#include "handshake.pml"
