/* Mutant: the host reads the guest header before it consumes the slot's counter change (issue 16 row 14). check.sh requires SPIN to find the error. */
#define MUTANT_HEADER_FIRST
#include "handshake.pml"
