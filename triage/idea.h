/* triage/idea.h - the strategy vocabulary: SRPF categories, the two segments
 * (VPN customers, platform users) and where an idea runs. */
#ifndef TRIAGE_IDEA_H
#define TRIAGE_IDEA_H

/* SRPF: Security > Reliability > Performance > Features. */
enum category { CAT_SECURITY, CAT_RELIABILITY, CAT_PERFORMANCE, CAT_FEATURE, CAT_LEN };

/* Segment bits: VPN customers (humans reaching resources), platform users
 * (workloads reaching workloads). Both set: a bridge idea. */
enum { SEG_VPN = 1, SEG_PLATFORM = 2 };

/* Where a change must ship: a client release (slow, costly to roll back),
 * the cloud only, or both. */
enum runtime { RT_CLIENT, RT_CLOUD, RT_BOTH, RT_LEN };

const char *category_name(enum category c); /* "security", ... */
int category_from_name(const char *s, enum category *out);
const char *runtime_name(enum runtime r); /* "client", "cloud", "both" */
int runtime_from_name(const char *s, enum runtime *out);

#endif
