/* Anomaly mode (torch.autograd.detect_anomaly): global, as PyTorch's AnomalyMode. While on, each
 * node recorded keeps the call site of the forward op that made it (set by the header's op
 * macros, CG_CALL_SITE_), the engine refuses a node's NaN gradient with PyTorch's message, and a
 * node's failure warns where its forward was called, as PyTorch prints the forward's traceback. */
#include "autograd/autograd.h"

bool cg_anomaly_enabled_;
_Thread_local cg_call_site cg_call_site_now_;

void cg_call_site_(const char *file, int line, const char *function) {
    cg_call_site_now_ = (cg_call_site){file, line, function};
}

bool cg_set_detect_anomaly(bool enabled) {
    bool previous = cg_anomaly_enabled_;
    cg_anomaly_enabled_ = enabled;
    return previous;
}

bool cg_is_anomaly_enabled(void) { return cg_anomaly_enabled_; }

bool cg_detect_anomaly_begin_(void) {
    cg_warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only be enabled "
            "for debugging.");
    return cg_set_detect_anomaly(true);
}

void cg_anomaly_record(cg_node *n) { n->site = cg_call_site_now_; }

/* PyTorch's engine, after a node's outputs passed validation: the first that has a NaN fails. */
bool cg_anomaly_check_nan(const cg_node *n, cg_tensor **out) {
    bool ok = true;
    CG_NO_GRAD {
        for (int i = 0; i < n->nnext && ok; i++) {
            if (!out[i] || !cg_is_floating_inline(out[i]->dtype) || out[i]->storage->backend != &cg_backend_cpu) continue;
            double any = cg_item(cg_any(cg_isnan(out[i])));
            if (any != 0) {
                if (any == any) cg_set_error("Function '%s' returned nan values in its %dth output.", cg_node_message_name(n), i);
                ok = false;
            }
        }
    }
    return ok;
}

/* PyTorch's warning for a node that failed in anomaly mode: where its forward was called. */
void cg_anomaly_report(const cg_node *n) {
    const cg_call_site *s = &n->site;
    if (!s->file) {
        cg_warn("Error detected in %s. No forward pass information available. Enable detect anomaly during forward "
                "pass for more information.", cg_node_message_name(n));
        return;
    }
    cg_warn("Error detected in %s. Traceback of forward call that caused the error:\n  File \"%s\", line %d, in %s\n",
            cg_node_message_name(n), s->file, s->line, s->function);
}
