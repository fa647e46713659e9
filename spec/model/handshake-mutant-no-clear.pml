/* Mutant: the guest re-attaches without first retracting its old request. check.sh requires SPIN to find the error. */
#define MUTANT_NO_CLEAR
#include "handshake.pml"
