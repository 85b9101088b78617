/* Internal: striped locks. Objects that threads may share (a leaf, a node) have no mutex of their
 * own: the lock for one is picked from a small table by its address, as PyTorch would take the
 * object's own mutex. One table per use, so a lock of one use may be taken while holding a lock of
 * another, in the order of the enum (never two of one use at once: two objects may share a stripe). */
#ifndef CG_CORE_LOCK_H
#define CG_CORE_LOCK_H

typedef enum {
    CG_LOCK_NODE,   /* a node's saved tensors while its backward runs (PyTorch's Node mutex_) */
    CG_LOCK_GRAD,   /* a tensor's .grad while a backward accumulates into it (AccumulateGrad's mutex_) */
    CG_LOCK_META,   /* a leaf's weak pointer to its AccumulateGrad node */
    CG_LOCK_KINDS
} cg_lock_kind;

void cg_lock(cg_lock_kind kind, const void *object);
void cg_unlock(cg_lock_kind kind, const void *object);

#endif
