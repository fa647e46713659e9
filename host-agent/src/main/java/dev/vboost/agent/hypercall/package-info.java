/** The hypercall dispatcher and its Unix-domain-socket transport. */
package dev.vboost.agent.hypercall;
