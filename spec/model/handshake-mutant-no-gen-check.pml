/* Mutant: the host acts without checking the generation the guest attached to. check.sh requires SPIN to find the error. */
#define MUTANT_NO_GEN_CHECK
#include "handshake.pml"
