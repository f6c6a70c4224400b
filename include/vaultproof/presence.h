/*
 * vaultproof/presence.h - whether a value was reported: the distinction the evidence
 * needs. JSON input (vaultproof/json.h) reads it and the model (vaultproof/snapshot.h)
 * keeps it, so it lives below both and pulls in nothing.
 */
#ifndef VAULTPROOF_PRESENCE_H
#define VAULTPROOF_PRESENCE_H

/* Absent and JSON null are "not reported", never a default such as "Disabled" or 0. */
typedef enum { VP_ABSENT = 0, VP_NULL = 1, VP_PRESENT = 2 } vp_presence;

#endif
