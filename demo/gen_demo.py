#!/usr/bin/env python3
"""Generate the ideatriage demo data set.

Writes two files next to this script:
  demo.json    - the four input channels (GitHub issues, Reddit posts,
                 sales call notes, employee ideas) in upstream API shapes
  topics.json  - ground truth: which items voice which underlying request,
                 used to measure how well the service folds duplicates

Standard library only. Deterministic: a fixed seed, no set iteration,
no wall-clock input, so two runs give byte-identical files.
All text below was written for this project; every name, account and
domain is fictional (meshco.example, example.com/.org, RFC 5737 style).
"""

import datetime as dt
import json
import os
import random
import re

SEED = 20260611
OUT_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_URL = "https://github.com/meshco/mesh"
START = dt.datetime(2026, 1, 3, 8, 0, 0, tzinfo=dt.timezone.utc)
END = dt.datetime(2026, 11, 27, 18, 0, 0, tzinfo=dt.timezone.utc)

# ---------------------------------------------------------------------------
# Topic catalogue
#
# n = (github issues, reddit posts, sales notes, employee ideas)
# Pools (titles / problems / asks) are consumed round-robin per topic so that
# each voicing of a topic is worded differently.
# ---------------------------------------------------------------------------

TOPICS = []


def T(**kw):
    kw.setdefault("labels", [])
    kw.setdefault("os", None)
    kw.setdefault("code", [])
    kw.setdefault("wk", [])
    kw.setdefault("sales", [])
    kw.setdefault("emp", [])
    kw.setdefault("reddit", [])
    kw.setdefault("steps", None)
    kw.setdefault("heat", 1.0)
    kw.setdefault("quiet", False)
    kw.setdefault("window", None)
    kw.setdefault("users", None)
    TOPICS.append(kw)


CB = "```"  # code fence

# ----------------------------- security ------------------------------------

T(id="device-posture", cat="security", seg=["vpn"], rt="both", n=(5, 2, 6, 1),
  short="device posture checks", quiet=True, heat=1.4,
  labels=["area/acl", "area/identity"],
  titles=["Device posture checks before granting access",
          "Block devices without disk encryption from reaching prod",
          "Require a minimum OS / client version in ACL rules",
          "Use EDR health (CrowdStrike, SentinelOne) as an access condition",
          "posture attributes in grants?",
          "Only allow company-managed laptops onto sensitive subnets"],
  problems=["Right now any device a user signs in on is trusted the same way. A contractor can log in on a personal gaming PC with no disk encryption and reach the exact same subnets as a managed MacBook.",
            "Our auditors asked how we make sure only compliant machines reach the finance database and honestly I didn't have a good answer. We rely on people doing the right thing.",
            "We already have Intune telling us which machines are compliant. Mesh knows nothing about that, so the compliance signal just stops at the network edge.",
            "People keep running a client build from last year with known bugs and there is nothing in the policy that lets me say 'you must be on at least X to reach this'."],
  asks=["Let rules reference device attributes like `os_version`, `disk_encrypted` or `edr_healthy`, and deny the connection when they don't match.",
        "Pull posture from the MDM/EDR we already pay for (Intune, Jamf, Kandji, CrowdStrike) and expose it as a condition in the policy file.",
        "Even a minimal version would help a lot: minimum client version and 'admin approved device' as conditions per destination.",
        "Re-evaluate posture every few minutes, not only at login, and cut the session when a device drifts out of compliance."],
  code=[CB + "jsonc\n\"grants\": [{\n  \"src\": [\"group:finance\"],\n  \"dst\": [\"tag:ledger-db\"],\n  \"ip\":  [\"5432\"],\n  // what I'd like to be able to write:\n  \"srcPosture\": [\"posture:managed-and-encrypted\"]\n}]\n" + CB],
  sales=["they want posture checks (disk encryption + EDR running) before a laptop can touch prod subnets",
         "CISO asked point blank whether we can deny unmanaged devices. We can't today. She said their Zscaler rep already showed her that",
         "asking for Intune compliance state to gate access - they'd retire their separate NAC appliance if we had it",
         "posture is the #1 open item on their security questionnaire: min OS version + CrowdStrike ZTA score",
         "need 'managed device only' for the contractor population (~300 ppl) before they expand",
         "want to keep jailbroken/rooted phones off the tailnet entirely; mobile is half their fleet"],
  emp=[("Posture checks: ship min client version first",
        "Support sees this every week from IT admins: they want to stop outdated clients from reaching sensitive stuff. The control plane already knows each node's client version, so a `minVersion` condition in grants would be a cloud-only first step. EDR/MDM integrations can come later and would need a client release anyway.")])

T(id="scim-group-sync", cat="security", seg=["vpn"], rt="cloud", n=(3, 1, 5, 1),
  short="SCIM user/group sync", quiet=True,
  labels=["area/identity"],
  titles=["SCIM provisioning for Okta users and groups",
          "Sync IdP groups into policy groups automatically",
          "Suspended users still have working devices",
          "Entra ID (Azure AD) SCIM support",
          "group:* in the policy should come from our IdP"],
  problems=["When someone leaves we disable them in Okta, but their Mesh devices keep working until the node key expires. Offboarding depends on someone remembering to also remove them in the admin console.",
            "We maintain the same groups twice: once in Entra ID and once as `group:` entries in the policy file. They drift constantly and nobody notices until access breaks.",
            "Every new hire has to log in once before we can put them in the right group, so day-one access never works."],
  asks=["Support SCIM 2.0 so users and groups are pushed from the IdP, and suspending a user there disables their devices right away.",
        "Let the policy reference IdP groups directly, something like `group:okta/engineering`.",
        "At minimum give us an API to bulk-set group membership so we can write the glue ourselves."],
  sales=["need SCIM user + group sync from Okta; the offboarding gap was flagged in their SOC 2 audit",
         "Entra ID SCIM. 2,000 employees and IT refuses to manage groups in two places",
         "want deprovisioning to kill device access instantly, today it waits for key expiry and their CISO hates that",
         "IT wants Google Workspace groups to show up in ACLs automatically",
         "SCIM again (third call where it came up). Their Okta admin is the actual decision maker here"],
  emp=[("Offboarding gap: suspended IdP users keep network access",
        "Had two escalations this month where a terminated employee's laptop was still online the next day. Both customers assumed disabling the user in their IdP was enough. SCIM deprovisioning (or even just honoring the IdP 'suspended' state on next token refresh) would close this.")])

T(id="custom-oidc", cat="security", seg=["vpn"], rt="cloud", n=(6, 2, 1, 0),
  short="bring-your-own OIDC provider",
  labels=["area/identity"],
  titles=["Support any OIDC provider for login",
          "Self-hosted Keycloak as identity provider",
          "Allow Authentik / Zitadel SSO",
          "Custom OIDC without WebFinger on the root domain",
          "Bring your own IdP (generic OIDC)",
          "SSO with our own Keycloak realm"],
  problems=["We run Keycloak for everything internal. The only login choices are the big consumer providers, so people create personal accounts just to join the tailnet.",
            "The custom OIDC flow wants a WebFinger endpoint on our apex domain. Marketing owns that site and won't let us put anything on it.",
            "Small shop, we use Authentik both at home and at work. I'd love to not depend on a Google account to get into our own network."],
  asks=["Allow configuring an arbitrary OIDC issuer URL, client ID and secret straight from the admin console.",
        "Drop the WebFinger requirement or offer DNS TXT verification instead.",
        "Document which claims are required (email, groups) so we can map them in our IdP."],
  code=[CB + "\n$ curl -s https://example.org/.well-known/webfinger?resource=acct:ops@example.org\n404 page not found\n" + CB],
  sales=["asked if they can use their self-hosted Keycloak for SSO; they won't route through Okta for this"])

T(id="key-expiry", cat="security", seg=["vpn", "platform"], rt="both", n=(7, 3, 2, 1),
  short="key expiry notifications and per-tag expiry", heat=1.3,
  labels=["area/keys"],
  titles=["Notify before node keys expire",
          "Servers drop off the network every 180 days",
          "Email me before a device key expires",
          "Disable key expiry by tag",
          "Key expiry is too aggressive for headless boxes",
          "Per-tag key expiry policy",
          "node key expired and my NAS just vanished"],
  problems=["Every six months some random server falls off the network because its key expired and nobody noticed. Usually we find out when a backup job fails a day later.",
            "I have 40 Raspberry Pis out in the field. Re-authenticating them means physically driving to each site.",
            "The only warning is a small badge in the admin console that nobody ever looks at.",
            "Turning off expiry per machine by clicking in the UI doesn't scale and it isn't in Terraform either."],
  asks=["Send an email and/or webhook 14 days and 3 days before a key expires.",
        "Let us set expiry per tag, e.g. `tag:server` never expires and laptops expire every 30 days.",
        "Expose key expiry in the API and Terraform provider so it can live in code.",
        "Print a warning in `mesh status` on the node itself when expiry is close."],
  code=[CB + "\n$ mesh status\n# Health check:\n#     - node key expired; run `mesh up` to re-authenticate\n" + CB],
  wk=["Workaround: a cron job that calls `GET /api/v2/tailnet/-/devices` and alerts when `expires` is less than 10 days away. Gross but it works.",
      "We just disable expiry on every tagged node right after it joins, via the API. Not ideal from a security point of view."],
  sales=["key expiry took down their build farm twice this quarter; want expiry policy per tag",
         "want expiry warnings routed into PagerDuty, not email"],
  emp=[("Warn users before their key expires",
        "A big share of 'my server disappeared' tickets are expired keys. We could email the device owner a week ahead, and show it in `mesh status`. The email part is cloud-only.")])

T(id="audit-log-streaming", cat="security", seg=["vpn"], rt="cloud", n=(1, 0, 6, 1),
  short="audit log streaming to SIEM", quiet=True,
  labels=["area/logging"],
  titles=["Stream configuration audit logs to a SIEM"],
  problems=["We need admin actions (policy edits, device approvals, key creation) in Splunk. Exporting a CSV by hand every Friday is not an audit process."],
  asks=["Native streaming to Splunk HEC, Datadog, S3 and a generic HTTPS endpoint, with at-least-once delivery and a documented schema."],
  sales=["audit log streaming into Splunk is a hard requirement from their SOC; renewal in Q3 hinges on it",
         "want config audit logs pushed to their Sentinel workspace, not pulled on a schedule",
         "compliance team needs 1yr retention of admin actions - asked about continuous S3 export",
         "SIEM integration (Chronicle). They pull a CSV weekly today and hate it",
         "asked for an audit event per policy change incl. the diff, streamed to Datadog",
         "security review: need a tamper-evident audit trail exported off-platform"],
  emp=[("Audit log streaming keeps coming up in deal desk",
        "Not a loud ask on GitHub, but in the last two quarters at least five enterprise deals had 'stream audit logs to our SIEM' in the security review. Splunk HEC + S3 would cover most of them. Pure control plane work, no client change.")])

T(id="tailnet-lock-ux", cat="security", seg=["vpn", "platform"], rt="both", n=(4, 1, 0, 1),
  short="tailnet lock usability",
  labels=["area/tailnet-lock"],
  titles=["Tailnet lock: signing every new node is painful",
          "Pre-signed auth keys for tailnet lock",
          "Lost a signing node, how do I recover tailnet lock?",
          "tailnet lock and ephemeral nodes don't mix"],
  problems=["With tailnet lock on, every new server needs someone holding a signing key to run `mesh lock sign`. That completely breaks autoscaling.",
            "I lost the laptop that held one of our two signing keys and the recovery docs aren't clear on what happens next.",
            "CI runners come and go every few minutes, nobody is going to sign them by hand."],
  asks=["Support pre-signed, reusable auth keys bound to a tag so workloads can join without manual signing.",
        "A guided recovery flow in the console for when a signing node is lost.",
        "Show lock status and unsigned nodes clearly in the device list."],
  code=[CB + "\n$ mesh lock sign nodekey:3f9ac1...\nerror: this node is not a trusted signing node\n" + CB],
  emp=[("Tailnet lock: make pre-signed keys the default for tags",
        "Most customers who turn tailnet lock off again do it because of autoscaling. Pre-signed keys exist but are hard to find. Could we surface them in the auth key dialog?")])

T(id="ssh-mfa", cat="security", seg=["vpn"], rt="both", n=(5, 2, 3, 0),
  short="MFA step-up for SSH",
  labels=["area/ssh"],
  titles=["Require MFA before SSH into prod",
          "Mesh SSH check mode with a hardware key",
          "Step-up authentication for SSH sessions",
          "Ask for 2FA again every N hours for SSH",
          "SSH check period should support WebAuthn"],
  problems=["Mesh SSH is great, but once a laptop is signed in, anyone sitting at it can SSH into production for hours.",
            "Our policy says privileged access needs a fresh second factor. Check mode only bounces to the browser login, which is usually still cached, so it's basically a click-through.",
            "We want engineers to tap a YubiKey before every prod session, like we had with the old bastion."],
  asks=["Add a check action that forces a WebAuthn / hardware key prompt, not just an SSO redirect.",
        "Make the check period configurable per rule (15m for prod, 12h for staging).",
        "Record which factor was used in the audit log."],
  code=[CB + "json\n\"ssh\": [{\n  \"action\": \"check\",\n  \"checkPeriod\": \"15m\",\n  \"src\": [\"group:sre\"],\n  \"dst\": [\"tag:prod\"],\n  \"users\": [\"root\", \"autogroup:nonroot\"]\n}]\n" + CB],
  sales=["want MFA step-up for SSH to prod, hardware keys only",
         "replacing Teleport; the missing piece is per-session MFA for SSH",
         "asked whether we can require a YubiKey touch for every prod SSH"])

T(id="ssh-session-recording", cat="security", seg=["vpn"], rt="both", n=(2, 0, 2, 0),
  short="SSH session recording",
  labels=["area/ssh"],
  titles=["Record SSH sessions to our own storage",
          "Session recording for Mesh SSH"],
  problems=["We need recordings of privileged sessions for PCI. Right now we keep a jump host around only for that.",
            "Our auditors want to be able to replay what an engineer did on a database host."],
  asks=["Record sessions on the destination and ship them to S3/GCS with a retention policy.",
        "Fail closed: if the recorder is unreachable, block the session."],
  sales=["PCI scope: need SSH session recording w/ retention in their own S3",
         "asked whether SSH sessions can be recorded for replay; their Teleport contract ends in Jan"])

T(id="fips-build", cat="security", seg=["vpn", "platform"], rt="client", n=(1, 0, 4, 0),
  short="FIPS 140-3 builds", quiet=True,
  labels=["area/crypto"],
  titles=["FIPS 140-3 validated build"],
  problems=["We sell into US federal agencies. Anything that touches the wire has to use validated crypto modules or it's a non-starter."],
  asks=["Ship a FIPS build of the client and document which crypto modules are used where."],
  sales=["FedRAMP Moderate path: they need FIPS 140-3 validated client builds, hard blocker",
         "their gov division can't deploy without a FIPS mode; asked for a timeline",
         "FIPS came up again. Told them I'd check with eng whether it's even possible with our crypto",
         "parent company mandates FIPS for all network software; this gates the second BU"])

T(id="eu-data-residency", cat="security", seg=["vpn", "platform"], rt="cloud", n=(0, 1, 4, 1),
  short="EU data residency", quiet=True,
  labels=[],
  titles=["Is there an EU-hosted control plane? Our GDPR people are asking",
          "EU-hosted control plane region"],
  problems=["Our legal team wants all metadata about our devices and users to stay in the EU.",
            "Procurement in Germany requires EU hosting for anything that stores user identities."],
  asks=["Offer an EU region for the control plane and logs, selectable per tailnet."],
  sales=["needs EU data residency for control plane + logs; German works council is involved",
         "asked where coordination metadata is stored; want EU-only hosting",
         "data residency (EU) is a procurement gate, legal won't sign without it",
         "their DPO wants logs to never leave the EU"],
  emp=[("EU region for the control plane",
        "Lost at least one EU deal on this last quarter and two more are stuck in legal. This is entirely a cloud/infra project, no client work.")])

T(id="jit-access", cat="security", seg=["vpn"], rt="cloud", n=(3, 1, 3, 1),
  short="just-in-time access requests",
  labels=["area/acl"],
  titles=["Just-in-time access requests with approval",
          "Temporary access grants that expire on their own",
          "Approval flow in Slack for prod access"],
  problems=["Today someone either has access to prod forever or not at all. People ask in Slack, an admin edits the policy and then forgets to revert it.",
            "On-call engineers need prod for a few hours during an incident and then it should go away automatically."],
  asks=["A request/approve flow with a time limit (e.g. 4 hours), approvals in Slack or the console.",
        "An API to add a temporary grant with a TTL so we can wire it into our own tooling."],
  sales=["JIT access for contractors with time-boxed grants; they pay for a separate tool for this today",
         "want on-call to get prod for 4h with manager approval in Slack",
         "temporary grants w/ expiry - they're trying to replace StrongDM"],
  emp=[("Time-limited grants (JIT access)",
        "Customers write scripts that patch the policy and revert it later. A grant with `expires` would be simple and very popular with security buyers.")])

T(id="acl-tests-gitops", cat="feature", seg=["vpn", "platform"], rt="cloud", n=(3, 0, 0, 1),
  short="policy validation in CI",
  labels=["area/acl", "area/api"],
  titles=["Validate the policy file in CI without applying it",
          "Run ACL tests locally / offline",
          "GitOps: dry-run policy changes and show the diff in the PR"],
  problems=["We keep the policy file in a repo, but there's no way to validate a PR without pushing to the real tailnet.",
            "ACL tests only run server-side on save, so the feedback loop is slow and scary."],
  asks=["A `mesh policy validate` command or API endpoint that runs the tests and returns a diff without applying anything.",
        "Publish the policy evaluator as a library so we can test offline."],
  code=[CB + "yaml\n- name: Validate policy\n  run: mesh policy validate --file policy.hujson --tailnet example.com\n" + CB],
  emp=[("Dry-run endpoint for policy changes",
        "The GitOps crowd keeps asking for a validate-only call. We already have the logic server-side, it's mostly an API surface question.")])

T(id="flow-logs-export", cat="security", seg=["vpn"], rt="both", n=(2, 1, 2, 0),
  short="network flow log export",
  labels=["area/logging"],
  titles=["Export network flow logs",
          "Connection logs per node for incident response"],
  problems=["After an incident we couldn't tell which devices had talked to the compromised host.",
            "We need flow records (src, dst, port, bytes) kept for 90 days, not just admin actions."],
  asks=["Export flow logs to S3 or a syslog endpoint.",
        "Let us query recent flows per node from the console."],
  sales=["network flow logs for IR: who talked to what, 90 day retention",
         "asked for per-connection logs to feed their NDR tool"])

T(id="oauth-client-scopes", cat="security", seg=["platform"], rt="cloud", n=(3, 0, 1, 1),
  short="fine-grained API scopes",
  labels=["area/api"],
  titles=["Finer-grained OAuth client scopes",
          "Scope an API client to a single tag",
          "Read-only API token for dashboards"],
  problems=["To let CI create auth keys I have to hand it a client that can also rewrite the whole policy file.",
            "Our monitoring only needs to list devices, but the token it uses can delete them."],
  asks=["Scopes like `devices:read` and `auth_keys:write` limited to `tag:ci`.",
        "Restrict OAuth clients to specific tags."],
  sales=["security team flagged our API tokens as over-privileged; want per-tag scoping"],
  emp=[("Tag-scoped OAuth clients",
        "Every platform customer I talk to ends up with one god-mode OAuth client in CI. Scoping by tag would fix most of that.")])

# ----------------------------- reliability ---------------------------------

T(id="reconnect-after-sleep", cat="reliability", seg=["vpn"], rt="client", n=(10, 3, 2, 1),
  short="reconnect after sleep", heat=3.0, window=(3, 8),
  labels=["bug", "area/netcheck"], os=["macOS", "Windows", "macOS", "Windows", "Linux"],
  titles=["Client doesn't reconnect after laptop wakes from sleep",
          "macOS: stuck on 'Connecting...' after sleep",
          "Have to toggle Mesh off and on every morning",
          "Windows 11: no connectivity after resume from hibernate until restart",
          "After sleep, peers show offline for several minutes",
          "Regression in 1.84: tunnel dead after closing the lid",
          "wake from sleep = broken tunnel",
          "Connection doesn't come back after switching Wi-Fi networks"],
  problems=["Every morning when I open my MacBook, Mesh says connected but nothing on the tailnet answers. Toggling it off and on fixes it instantly.",
            "After resuming from hibernate on Windows 11 the icon is green but pings to 100.x addresses time out for 3-5 minutes.",
            "Started after upgrading to 1.84. Closing the lid for more than ~20 minutes reliably breaks it.",
            "Half my team hits this daily and they've started calling the VPN 'flaky'. Some just leave laptops on overnight now.",
            "Moving from home Wi-Fi to phone hotspot leaves the tunnel half dead: DERP works, direct paths never come back."],
  asks=["Detect wake events and force a rebind / re-STUN immediately.",
        "At least put a 'Reconnect' item in the menu so people don't have to quit the app.",
        "Please prioritize this over new features. Reliability is the reason we pay for this."],
  steps="1. Connect to the tailnet\n2. Close the lid for 30+ minutes\n3. Open the lid, wait for Wi-Fi\n4. `ping 100.101.12.7` times out",
  code=[CB + "\n2026/03/11 08:02:13 magicsock: rebind: no network\n2026/03/11 08:02:13 health(warnable=network-status): error: network down\n2026/03/11 08:02:41 LinkChange: major, rebinding. New state: interfaces.State{defaultRoute=en0 ifs={en0:[192.168.1.44/24]} v4=true v6=false}\n2026/03/11 08:02:41 magicsock: derp-2 does not know about peer [Xk3v1], removing route\n" + CB],
  wk=["Workaround on macOS: a sleepwatcher script that runs `sudo killall -HUP meshd` on wake. Not great but it stops the tickets.",
      "Setting the NIC power management to 'never turn off' on Windows made it better for me. Not fixed though."],
  sales=["users complain laptops need a VPN toggle after sleep; helpdesk ticket volume is up since March",
         "reconnect-after-sleep is their top helpdesk complaint, the CIO brought it up unprompted"],
  emp=[("Reconnect-after-sleep is our #1 ticket driver",
        "Since 1.84 roughly a quarter of new Support tickets are some variant of 'doesn't work after sleep'. Needs a client fix; can we get it into the next point release and ship a KB in the meantime?")])

T(id="derp-failover", cat="reliability", seg=["vpn", "platform"], rt="both", n=(5, 2, 1, 0),
  short="relay failover",
  labels=["bug", "area/derp"],
  titles=["Fail over to another DERP region when home region is down",
          "Stuck on an unreachable relay during an outage",
          "DERP region outage took out our connectivity",
          "Prefer second-closest relay when latency spikes",
          "Custom DERP server: no failover when it goes down"],
  problems=["During the Frankfurt relay incident, nodes kept trying their home relay for 10+ minutes instead of moving.",
            "We run our own relays. When one reboots, peers behind symmetric NAT lose connectivity until it's back.",
            "Latency to our home relay went from 20ms to 400ms and the client never switched."],
  asks=["Health-check relays continuously and move to the next best region within seconds.",
        "Allow multiple relays per region with a priority.",
        "Show relay health in `mesh netcheck`."],
  code=[CB + "\n$ mesh netcheck\nReport:\n\t* UDP: false\n\t* Nearest DERP: Frankfurt\n\t* DERP latency:\n\t\t- fra: 412.3ms  (Frankfurt)\n\t\t- ams: 24.1ms   (Amsterdam)\n\t\t- lhr: 31.7ms   (London)\n" + CB],
  sales=["outage post-mortem: relay failover took too long, they want it covered by the SLA"])

T(id="dns-resolver-flaps", cat="reliability", seg=["vpn"], rt="client", n=(9, 3, 2, 1),
  short="DNS resolver flapping", heat=2.0,
  labels=["bug", "area/dns"], os=["macOS", "Windows", "Windows", "macOS", "Linux"],
  titles=["MeshDNS stops resolving randomly on macOS",
          "Split DNS flaps between our resolver and 100.100.100.100",
          "DNS breaks every few minutes while Mesh is running",
          "Internal hostnames resolve, then NXDOMAIN, then resolve again",
          "Windows: NRPT rules disappear after a network change",
          "DNS resolver intermittently times out",
          "split dns unreliable"],
  problems=["Internal names like `grafana.corp.internal` resolve fine for a few minutes, then return NXDOMAIN, then work again. It looks random.",
            "On Windows the split DNS rules vanish after switching from Ethernet to Wi-Fi and only come back after restarting the client.",
            "Our developers think internal apps are down when it's actually DNS. It creates a lot of noise in #it-help.",
            "Queries to 100.100.100.100 sometimes take 5 seconds and then succeed, which makes every web page feel slow."],
  asks=["Make the resolver config sticky and re-apply it on every network change.",
        "Log DNS config changes with the reason so we can debug.",
        "Add a `mesh dns status` command that shows the active resolvers and routes."],
  code=[CB + "\n$ dig grafana.corp.internal\n;; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 31337\n$ sleep 60; dig grafana.corp.internal\n;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4111\ngrafana.corp.internal.\t600\tIN\tA\t10.20.4.11\n" + CB,
        CB + "powershell\nPS C:\\> Get-DnsClientNrptPolicy\nPS C:\\>   # empty right after switching to Wi-Fi\n" + CB],
  wk=["Hardcoding our internal resolver in the OS and turning off `--accept-dns` is what we ended up doing. Loses MeshDNS names though."],
  sales=["intermittent DNS failures for remote staff; they blame us, we think it's their ISP resolver, unclear",
         "split DNS flakiness on Windows is their main complaint going into renewal"],
  emp=[("Add `mesh dns status`",
        "Half of DNS tickets are spent figuring out which resolver is active. A status command plus logging why config changed would cut our time per ticket a lot.")])

T(id="subnet-router-ha", cat="reliability", seg=["vpn", "platform"], rt="both", n=(6, 2, 4, 0),
  short="subnet router HA", heat=1.3,
  labels=["area/subnet-routers"],
  titles=["High availability for subnet routers",
          "Subnet router failover takes too long",
          "Active-active subnet routers",
          "Faster failover between redundant subnet routers",
          "HA subnet routes in AWS across availability zones",
          "Drain a subnet router for maintenance"],
  problems=["We run two subnet routers advertising the same VPC route. When the primary dies, clients take up to a minute to move to the secondary.",
            "Both routers advertise 10.0.0.0/16 but only one ever carries traffic, so we pay for a big instance that sits idle.",
            "Patching a subnet router means a visible outage for everyone using that site."],
  asks=["Sub-5-second failover based on health checks.",
        "Let both routers carry traffic (sticky per flow).",
        "Let me mark a router preferred, and drain it before maintenance."],
  code=[CB + "\nmesh up --advertise-routes=10.40.0.0/16 --accept-dns=false\n" + CB],
  sales=["need HA subnet routers across 2 AZs; last failover took ~45s and broke a trading app",
         "asked for active/active subnet routers, they push ~2 Gbps through one box",
         "want a drain mode for subnet routers during patch windows",
         "subnet router HA is what blocks moving their 3 data centers onto Mesh"])

T(id="windows-service-crash", cat="reliability", seg=["vpn"], rt="client", n=(4, 1, 0, 1),
  short="Windows service crash after update",
  labels=["bug", "os/windows"], os=["Windows"],
  titles=["meshd service crashes after Windows update",
          "Service stopped after auto-update, has to be started by hand",
          "Service 'Mesh' terminated unexpectedly (Event ID 7034)",
          "Client update breaks the service on Windows 10 LTSC"],
  problems=["After the client auto-updated overnight, the service was stopped on ~30 of our laptops. Nobody could reach anything until IT remoted in.",
            "Event Viewer shows the service crashing right after the update installs, every time."],
  asks=["Have the updater verify the service is running after install and roll back if not.",
        "Set service recovery to restart on failure by default."],
  steps="1. Enable auto-update\n2. Wait for a new release to roll out\n3. Service is stopped after the update",
  code=[CB + "\nLog Name:   System\nSource:     Service Control Manager\nEvent ID:   7034\nDescription: The Mesh service terminated unexpectedly. It has done this 1 time(s).\n" + CB],
  wk=["`sc failure meshd reset= 0 actions= restart/5000` pushed by GPO is our stopgap."],
  emp=[("Windows updater should health-check the service",
        "Three customers this month with the service left stopped after auto-update. An installer-side check + rollback would have avoided all of them.")])

T(id="captive-portal", cat="reliability", seg=["vpn"], rt="client", n=(3, 1, 0, 0),
  short="captive portal detection",
  labels=["area/exit-nodes"],
  titles=["Hotel Wi-Fi captive portal blocked by Mesh",
          "Can't log into airport Wi-Fi while an exit node is on",
          "Detect captive portals and pause the tunnel"],
  problems=["With an exit node set, the hotel login page never loads. I have to turn Mesh off, log in, turn it back on.",
            "Users travelling for work think the VPN is broken when it's actually the coffee shop portal."],
  asks=["Detect captive portals and let traffic to the portal go direct for a moment.",
        "Show a notification like 'Captive portal detected - open login page'."])

T(id="linux-resolvconf-conflict", cat="reliability", seg=["vpn"], rt="client", n=(4, 1, 0, 0),
  short="resolv.conf fights on Linux",
  labels=["bug", "os/linux", "area/dns"], os=["Linux"],
  titles=["Fights with NetworkManager over /etc/resolv.conf",
          "systemd-resolved and Mesh overwrite each other's DNS",
          "DNS settings lost on Fedora after NetworkManager reconnect",
          "'direct' DNS mode clobbers resolv.conf"],
  problems=["Every time NetworkManager renews DHCP it rewrites resolv.conf and MeshDNS disappears. Then meshd writes it back. Repeat forever.",
            "On Ubuntu 24.04 with systemd-resolved, the tailnet DNS is only set on the mesh0 link some of the time."],
  asks=["Always prefer systemd-resolved over D-Bus when it's there and never touch resolv.conf directly.",
        "Document which setup is supported on which distro."],
  code=[CB + "\n$ head -1 /etc/resolv.conf\n# resolv.conf(5) file generated by meshd(8)\n$ sudo nmcli con up 'Wired connection 1'\n$ head -1 /etc/resolv.conf\n# Generated by NetworkManager\n" + CB])

T(id="android-vpn-killed", cat="reliability", seg=["vpn"], rt="client", n=(4, 3, 0, 1),
  short="Android kills the app in background",
  labels=["bug", "os/android"], os=["Android"],
  titles=["Android kills Mesh in the background",
          "Samsung: VPN disconnects when screen is off",
          "Always-on VPN doesn't survive battery optimization",
          "Pixel 8: tunnel dies overnight"],
  problems=["On my Galaxy S24 the app gets killed ~30 minutes after the screen goes off, even with always-on VPN enabled.",
            "Battery optimization exemptions get reset after the app updates, so it starts dying again."],
  asks=["Prompt to exempt the app from battery optimization and detect when that exemption is revoked.",
        "Document the per-vendor settings (Samsung, Xiaomi, OnePlus)."],
  steps="1. Enable always-on VPN\n2. Lock the phone\n3. Wait ~30 min\n4. Tailnet unreachable, notification gone",
  emp=[("In-app check for Android battery optimization",
        "Android 'disconnects' are 80% battery optimization. The app could detect it and nag the user. Client-only change.")])

T(id="control-plane-resilience", cat="reliability", seg=["vpn", "platform"], rt="both", n=(3, 2, 3, 1),
  short="working without the control plane",
  labels=["area/control"],
  titles=["Keep working when the control plane is unreachable",
          "Coordination server outage: rebooted nodes can't come back",
          "Cache the netmap on disk for offline start"],
  problems=["During the control plane incident last month, existing tunnels kept working, but anything that restarted couldn't come back up.",
            "Our factory floors have flaky uplinks. If a machine reboots while the cloud is unreachable, it stays offline until the link returns."],
  asks=["Persist the last known netmap and peer keys locally and start from them when the control plane can't be reached.",
        "Document exactly what keeps working during a control plane outage."],
  sales=["after last month's outage they want guarantees that already-connected nodes keep working w/o the control plane",
         "asked about an on-prem control plane option, mostly because of the outage",
         "wants cached config so rebooted nodes come back without the cloud"],
  emp=[("Publish a 'what works during an outage' doc",
        "After the incident, CSMs got the same question from every large account. A doc costs nothing; local netmap caching is the real fix and needs a client release.")])

T(id="exit-node-failover", cat="reliability", seg=["vpn"], rt="both", n=(3, 2, 1, 0),
  short="exit node auto-failover",
  labels=["area/exit-nodes"],
  titles=["Automatic failover between exit nodes",
          "Pick the nearest healthy exit node automatically",
          "Exit node went down and all my traffic blackholed"],
  problems=["When the exit node I'm using goes offline my laptop just loses internet until I pick another one.",
            "We have exit nodes in three offices and want people to land on the closest healthy one."],
  asks=["An 'auto' exit node mode that picks the best node and fails over.",
        "Let admins define an ordered list of exit nodes per group."],
  sales=["want users auto-routed to the nearest office exit node, with failover"])

T(id="mtu-blackhole", cat="reliability", seg=["vpn", "platform"], rt="client", n=(3, 1, 0, 0),
  short="MTU problems",
  labels=["bug"], os=["Linux"],
  titles=["Large packets dropped over PPPoE",
          "Let me set the MTU on the mesh0 interface",
          "SSH hangs after login, small pings work (MTU?)"],
  problems=["Behind a PPPoE DSL line, HTTPS to some hosts over the tunnel just hangs. Small pings work, `ping -s 1400` doesn't.",
            "Our LTE modems have an MTU of 1428 and the tunnel doesn't account for it."],
  asks=["Do path MTU discovery, or at least let us set the MTU per node."],
  code=[CB + "\n$ ping -M do -s 1300 100.88.1.4   # fine\n$ ping -M do -s 1400 100.88.1.4\nPING 100.88.1.4 (100.88.1.4) 1400(1428) bytes of data.\n^C\n5 packets transmitted, 0 received, 100% packet loss\n" + CB])

# ----------------------------- performance ---------------------------------

T(id="windows-throughput", cat="performance", seg=["vpn"], rt="client", n=(7, 3, 2, 1),
  short="Windows throughput", heat=1.6,
  labels=["performance", "os/windows"], os=["Windows"],
  titles=["Throughput on Windows capped around 200 Mbit/s",
          "Windows client much slower than Linux on the same hardware",
          "Slow file copies over Mesh on Windows 11",
          "SMB transfers crawl over the tunnel (Windows)",
          "Windows: poor iperf3 results compared to plain WireGuard",
          "Windows gets 1/5 of Linux speed"],
  problems=["Same laptop, dual boot: Linux gets ~850 Mbit/s over the tunnel, Windows 11 tops out at ~180.",
            "Our video editors pull 50GB projects from the NAS every morning. Over Mesh it takes an hour; on the office LAN, eight minutes.",
            "One core sits at 100% during transfers while the rest are idle."],
  asks=["Spread encryption/decryption across cores on Windows.",
        "Use the newer Windows networking offloads where possible.",
        "Publish a tuning guide for Windows."],
  steps="1. `iperf3 -s` on a Linux peer\n2. `iperf3 -c <peer> -t 20` from Windows\n3. Compare with the same run from Linux on the same machine",
  code=[CB + "\nPS> iperf3.exe -c 100.71.3.9 -t 20\n[ ID] Interval           Transfer     Bitrate\n[  4]   0.00-20.00  sec   431 MBytes   181 Mbits/sec                  sender\n" + CB],
  sales=["creative team on Windows workstations complains about transfer speed; a competitor POC was faster",
         "Windows throughput came up on the exec sponsor call, they have 10G in all offices"],
  emp=[("Windows performance guide",
        "We could write a KB on Windows tuning today, and we should, but the single-core bottleneck needs client work.")])

T(id="ios-battery-drain", cat="performance", seg=["vpn"], rt="client", n=(6, 4, 1, 1),
  short="iOS battery drain", heat=1.8,
  labels=["performance", "os/ios"], os=["iOS"],
  titles=["iOS app drains the battery",
          "Mesh uses 20% battery overnight on iPhone",
          "Battery usage on iOS 18 even when idle",
          "iPhone gets warm with Mesh connected",
          "iPad battery drain while sitting idle"],
  problems=["Settings > Battery shows Mesh at 18% over the last 24h and I barely used it.",
            "With the VPN on, my iPhone 15 loses about 30% overnight. Off, about 4%.",
            "Our field staff turned it off because their phones were dead by lunch, which defeats the point."],
  asks=["Cut background wakeups/keepalives when the screen is off.",
        "Explain what the app does in the background so we can tune it.",
        "A low-power mode that only keeps the relay connection alive."],
  steps="1. Connect, lock the phone overnight\n2. Check Settings > Battery in the morning",
  sales=["field techs on iPhones disable the app due to battery drain"],
  emp=[("Battery drain on iOS: add telemetry",
        "We have no data on wakeups per hour on iOS. Without it every battery ticket is guesswork.")])

T(id="slow-startup", cat="performance", seg=["vpn"], rt="client", n=(4, 1, 0, 1),
  short="slow startup",
  labels=["performance"], os=["Windows", "macOS"],
  titles=["Client takes 30+ seconds to connect at boot",
          "Slow startup on macOS login",
          "meshd startup slow with many peers",
          "'Connecting...' for a long time after boot on Windows"],
  problems=["After boot the client sits on 'Starting' for 30-40 seconds before anything works. Login scripts that map network drives fail.",
            "With ~1,500 peers in the netmap, the first connection after boot is noticeably slow."],
  asks=["Start from cached state and finish connecting in the background.",
        "Show what it's waiting on."],
  emp=[("Startup time budget for clients",
        "Could we set a startup budget (e.g. usable within 5s of login) and track it per release? Drive-mapping failures on Windows are a recurring ticket.")])

T(id="exit-node-cpu", cat="performance", seg=["vpn"], rt="client", n=(6, 2, 0, 0),
  short="high CPU on exit nodes", heat=1.2,
  labels=["performance", "area/exit-nodes"], os=["Linux"],
  titles=["High CPU usage on exit node",
          "Exit node on Raspberry Pi 4 pegs the CPU",
          "meshd at 100% CPU on an exit node with 20 users",
          "Exit node CPU spikes under load"],
  problems=["Our office exit node (4 vCPU VM) sits at 90%+ CPU with about 25 people on it.",
            "On a Pi 4 I get ~80 Mbit/s through the exit node and one core is pegged."],
  asks=["GSO/GRO offload support on Linux for forwarded traffic.",
        "Multi-threaded packet processing."],
  code=[CB + "\n  PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND\n  812 root      20   0 1453220  98124  41212 S 197.3   2.4 812:44.91 meshd\n" + CB])

T(id="large-tailnet-scale", cat="performance", seg=["platform"], rt="both", n=(3, 0, 3, 1),
  short="scaling to very large tailnets", quiet=True,
  labels=["performance"],
  titles=["Netmap updates slow with 8k+ nodes",
          "meshd memory grows with tailnet size",
          "CPU spikes on every node when ephemeral nodes join"],
  problems=["We're at ~9,000 nodes, mostly CI and containers. Every node receives the full netmap and every change causes CPU spikes in small containers.",
            "meshd uses 300MB RAM in tiny sidecars just to hold peer state."],
  asks=["Only send a node the peers it can actually reach per the policy.",
        "Delta updates instead of full maps."],
  sales=["15k nodes planned for next year; worried about netmap size and client memory",
         "their sidecar containers OOM at 128MB because of meshd memory at scale",
         "want a documented limit for nodes per tailnet before they commit"],
  emp=[("Per-node netmap trimming",
        "Our three largest platform accounts all hit netmap size problems. Trimming peers by policy is control plane work; the client needs to handle delta updates.")])

T(id="derp-regions", cat="performance", seg=["vpn"], rt="cloud", n=(4, 2, 1, 0),
  short="more relay regions",
  labels=["area/derp"],
  titles=["Add a DERP region in South Africa",
          "Relay in India please",
          "High latency from Brazil, nearest relay is Miami",
          "DERP in the Middle East?"],
  problems=["Our Johannesburg office relays via London because the corporate firewall blocks direct connections. 180ms.",
            "Users in Bangalore go through Singapore; usable but SSH feels laggy."],
  asks=["Add relays closer to these regions.",
        "Publish a region roadmap."],
  sales=["their Sao Paulo team gets 150ms+ via relay; asked for a South America region"])

T(id="container-userspace-perf", cat="performance", seg=["platform"], rt="client", n=(3, 1, 0, 0),
  short="userspace networking speed",
  labels=["performance", "area/containers"], os=["Linux"],
  titles=["Userspace networking mode is slow in containers",
          "Throughput in a rootless container ~50 Mbit/s",
          "Can we avoid the userspace netstack in k8s?"],
  problems=["Running in a container without NET_ADMIN forces userspace mode and throughput drops to ~50 Mbit/s.",
            "Our data sync between clusters takes 4x longer than expected."],
  asks=["Optimize the userspace stack.",
        "Document exactly which capabilities are needed for kernel mode."])

T(id="macos-memory", cat="performance", seg=["vpn"], rt="client", n=(2, 1, 0, 0),
  short="macOS memory usage",
  labels=["performance", "os/macos"], os=["macOS"],
  titles=["macOS network extension using 1.2GB RAM",
          "Memory leak on macOS after a few days"],
  problems=["Activity Monitor shows the network extension at 1.2GB after five days of uptime.",
            "Memory climbs ~200MB a day until I restart the app."],
  asks=["Find the leak, please.", "Expose memory stats in `mesh debug` so we can report better."])

# ----------------------------- VPN features --------------------------------

T(id="exit-node-per-app", cat="feature", seg=["vpn"], rt="client", n=(8, 4, 1, 1),
  short="per-app exit node / split tunnel", heat=2.2,
  labels=["enhancement", "area/exit-nodes"],
  titles=["Split tunneling: exit node only for specific apps",
          "Per-app routing through the exit node",
          "Route only my browser through the exit node",
          "App-based exit node selection on Android",
          "Exclude apps from the exit node (banking apps)",
          "Feature request: per-application VPN",
          "Use exit node for Firefox only"],
  problems=["I want my browser to go through the home exit node but video calls should go direct. Right now it's all or nothing.",
            "My banking app blocks VPN IPs, so I turn the exit node off every time I need it.",
            "Game downloads through the exit node are painfully slow."],
  asks=["Let me choose which apps use the exit node (allowlist or denylist).",
        "Android already has per-app VPN APIs, please expose them.",
        "Per-app rules on macOS/Windows would be great too, even if later."],
  sales=["they want only Salesforce + Jira traffic through the exit node (IP allowlisting), everything else local"],
  emp=[("Per-app exit node on Android first",
        "Android gives us per-app VPN almost for free. Desktop is much harder. Shipping Android first would answer most of the Reddit noise.")])

T(id="acl-editor-ux", cat="feature", seg=["vpn"], rt="cloud", n=(5, 2, 2, 2),
  short="ACL editor usability", heat=1.2,
  labels=["enhancement", "area/admin-console", "area/acl"],
  titles=["Visual ACL editor",
          "ACL editor: show which rule allows a connection",
          "Policy file is unreadable at 2000 lines",
          "Better error messages in the policy editor",
          "Autocomplete for tags and groups in the policy editor",
          "Preview the effect of a policy change before saving"],
  problems=["Our policy file is 1,800 lines. Finding out why Bob can reach a host means reading all of it.",
            "When a save fails, the error points at a line number and says 'invalid'. That's it.",
            "The non-engineers on our IT team are scared to touch it."],
  asks=["A 'why can X reach Y' tool.",
        "A form-based editor for the common cases, with the raw file still available.",
        "Autocomplete and inline validation for tags, groups and hosts."],
  sales=["IT admins find the policy JSON intimidating; asked for a GUI editor",
         "want a 'who can access what' report for their auditors"],
  emp=[("'Why can X reach Y?' in the admin console",
        "The most common ACL ticket is 'why can/can't this user reach that host'. We answer it by reading the policy by hand. The evaluator exists; this is a UI."),
       ("Policy editor error messages",
        "Errors like 'invalid at line 412' generate tickets. Pointing at the key and suggesting a fix would help.")])

T(id="app-connectors", cat="feature", seg=["vpn"], rt="both", n=(4, 1, 4, 1),
  short="app connectors for SaaS",
  labels=["enhancement", "area/app-connectors"],
  titles=["App connectors for SaaS with IP allowlists",
          "Route a domain via a specific node",
          "Domain-based routing for our GitHub Enterprise allowlist",
          "App connector: support wildcard domains"],
  problems=["Our Snowflake and GitHub Enterprise accounts only accept traffic from our office IPs.",
            "Routing by IP doesn't work for SaaS whose IPs change every day."],
  asks=["Route by domain through a designated connector node.",
        "Support wildcards like `*.salesforce.com`."],
  sales=["want domain-based routing for SaaS allowlists (Salesforce, Snowflake)",
         "app connector wildcard domains needed to replace their ZTNA product",
         "static egress IP for SaaS apps through an app connector",
         "asked about app connector HA - single connector is a no-go for them"],
  emp=[("App connector wildcards",
        "SEs keep losing SaaS-allowlist deals on wildcard support.")])

T(id="dns-filtering", cat="feature", seg=["vpn"], rt="both", n=(4, 2, 3, 1),
  short="DNS filtering",
  labels=["enhancement", "area/dns"],
  titles=["DNS filtering for malicious domains",
          "Block ads/trackers across the whole tailnet",
          "NextDNS / Pi-hole style filtering built in",
          "Content filtering categories for managed devices"],
  problems=["We run a separate DNS filtering agent on every laptop on top of Mesh.",
            "I run Pi-hole at home but lose it as soon as I'm on mobile data."],
  asks=["Built-in filtering with categories (malware, phishing, adult).",
        "Per-group filtering policies."],
  sales=["DNS filtering (malware/phishing) would let them drop their separate DNS security vendor",
         "K-12 district: needs content filtering on student devices",
         "asked about DNS filtering as part of a security bundle"],
  emp=[("Is DNS filtering security theater?",
        "Lots of asks, but I'd argue it mostly checks an RFP box. If we do it, partner with an existing resolver instead of building categories ourselves.")])

T(id="linux-tray-icon", cat="feature", seg=["vpn"], rt="client", n=(6, 3, 0, 0),
  short="Linux tray icon", heat=1.4,
  labels=["enhancement", "os/linux"], os=["Linux"],
  titles=["Tray icon on Linux",
          "GNOME system tray app",
          "Linux GUI: at least a status indicator",
          "KDE tray applet",
          "Why is there no Linux desktop app?"],
  problems=["On Linux everything is CLI. Fine for me, but my colleagues want to click to switch exit nodes.",
            "I have no idea whether I'm connected without opening a terminal."],
  asks=["A small tray icon with status, an exit node picker and account switching.",
        "Use StatusNotifierItem so it works on KDE, and on GNOME with the extension."])

T(id="dark-mode", cat="feature", seg=["vpn"], rt="cloud", n=(3, 2, 0, 1),
  short="dark mode",
  labels=["enhancement", "area/admin-console"],
  titles=["Dark mode for the admin console",
          "Please add a dark theme to the web UI",
          "Respect prefers-color-scheme in the console"],
  problems=["The admin console is blinding at night.",
            "Everything else I use follows the OS theme except this."],
  asks=["Follow the OS dark/light setting.", "Add a theme toggle."],
  reddit=[dict(title="Dark mode for the admin console. That's it. That's the post.",
               selftext="", ups=2870, flair="Feature Request"),
          dict(title="anyone else get flashbanged opening the admin panel at 2am during an incident?",
               selftext="Pager goes off, I open the console, my retinas leave my body. Please. A dark theme. I will pay extra. (I will not pay extra)",
               ups=412, flair="Discussion")],
  emp=[("Dark mode for the admin console",
        "Low effort, high goodwill. The top post on the subreddit this year is literally this. CSS variables are already in place from the redesign.")])

T(id="mdm-deployment", cat="feature", seg=["vpn"], rt="client", n=(4, 0, 4, 0),
  short="MDM deployment and locked settings", quiet=True,
  labels=["enhancement", "area/mdm"],
  titles=["Deploy via Intune with preconfigured settings",
          "Document Jamf configuration profile keys",
          "MDM: force unattended mode and auth key",
          "Managed settings on Windows (registry policies / ADMX)"],
  problems=["We want laptops to come out of the box already joined to the tailnet with the right settings.",
            "Users can change settings (like turning off DNS) that we need locked."],
  asks=["Documented MDM keys for every setting and a way to lock them."],
  sales=["need Intune deployment with locked settings for 1,500 laptops",
         "want a Jamf profile that pre-authenticates devices",
         "asked for ADMX templates for GPO",
         "asked for a deployment guide for their MDM (Kandji)"])

T(id="custom-dns-domain", cat="feature", seg=["vpn"], rt="cloud", n=(5, 2, 0, 0),
  short="custom MeshDNS domain",
  labels=["enhancement", "area/dns"],
  titles=["Use our own domain for MeshDNS names",
          "Custom tailnet DNS suffix",
          "Replace the generated domain with our corp domain",
          "Let me pick the MeshDNS domain name"],
  problems=["Hostnames end in a randomly generated suffix that nobody can remember.",
            "We want `db1.int.example.com`, not the generated name."],
  asks=["Let admins configure a custom DNS suffix, with ownership verification."])

T(id="external-sharing", cat="feature", seg=["vpn"], rt="cloud", n=(3, 2, 1, 1),
  short="sharing nodes with outsiders",
  labels=["enhancement", "area/sharing"],
  titles=["Share a node with an external contractor without inviting them",
          "Node sharing: add an expiry date",
          "Share with another tailnet but only certain ports"],
  problems=["We need a contractor to reach one staging box for two weeks.",
            "Shares today expose every port on the node."],
  asks=["Shares with expiry dates and port restrictions."],
  sales=["contractor access w/ expiry; today they make temporary accounts"],
  emp=[("Expiring shares", "Simple, cloud-only, and a frequent ask from agencies working with freelancers.")])

T(id="tv-clients", cat="feature", seg=["vpn"], rt="client", n=(2, 2, 0, 0),
  short="TV clients",
  labels=["enhancement"],
  titles=["Apple TV client",
          "Android TV: remote-friendly UI",
          "tvOS support for exit nodes"],
  problems=["I want the Apple TV at my parents' place to use my home exit node.",
            "The Android TV app can't be navigated with a remote."],
  asks=["A tvOS app with exit node support.", "A TV-friendly UI on Android TV."])

T(id="openbsd-support", cat="feature", seg=["vpn"], rt="client", n=(3, 1, 0, 0),
  short="OpenBSD support",
  labels=["enhancement", "os/openbsd"], os=["OpenBSD"], users=["b0rkd_pf"], window=(1, 3),
  titles=["OpenBSD support (subnet router / exit node)",
          "OpenBSD: use the kernel interface instead of userspace",
          "OpenBSD port is out of date"],
  problems=["My edge router runs OpenBSD and pf. I want it to be the subnet router and exit node, but only userspace mode works and it can't forward.",
            "The packaged version is many releases behind and some flags from the docs don't exist in it."],
  asks=["First-class OpenBSD support: kernel wg(4), routes, pf anchors.",
        "Add OpenBSD to CI so it stops silently breaking."])

T(id="ios-on-demand", cat="feature", seg=["vpn"], rt="client", n=(4, 2, 0, 0),
  short="iOS on-demand rules",
  labels=["enhancement", "os/ios"], os=["iOS"],
  titles=["iOS: connect on demand based on Wi-Fi SSID",
          "Disconnect automatically on trusted home Wi-Fi",
          "On-demand rules on iOS"],
  problems=["At the office I don't need the tunnel, everywhere else I do.",
            "I forget to turn it on when I leave home."],
  asks=["Configurable on-demand rules by SSID and cellular."])

T(id="public-funnel-domains", cat="feature", seg=["vpn", "platform"], rt="both", n=(4, 2, 0, 0),
  short="public exposure with custom domains",
  labels=["enhancement", "area/funnel"],
  titles=["Custom domains for public exposure (Funnel)",
          "Expose a service publicly with my own domain and TLS",
          "Public ingress on more ports than 443/8443/10000"],
  problems=["I want to share a webhook receiver with the world at `hooks.example.com`, not the generated name.",
            "Only three ports are allowed for public ingress."],
  asks=["Custom domains with automatic certs.", "More ports."])

T(id="webhooks", cat="feature", seg=["vpn", "platform"], rt="cloud", n=(3, 0, 1, 1),
  short="webhooks for tailnet events",
  labels=["enhancement", "area/api"],
  titles=["Webhooks for device approval events",
          "Webhook when a new node joins",
          "Webhook payloads should include tags"],
  problems=["We poll the API to detect new devices so we can open a ticket for approval.",
            "The payload only has the node ID; we have to call back for everything else."],
  asks=["Webhooks for node created/approved/expired and policy changed.", "Include tags and owner in the payload."],
  sales=["want webhooks into ServiceNow on every new device"],
  emp=[("More webhook event types", "Customers poll the API for events we already emit internally. Cheap to expose.")])

# ----------------------------- platform features ---------------------------

T(id="k8s-operator", cat="feature", seg=["platform"], rt="both", n=(8, 2, 3, 1),
  short="Kubernetes operator improvements", heat=1.5,
  labels=["enhancement", "area/kubernetes"],
  titles=["Kubernetes operator: multi-cluster support",
          "Operator: HA proxies for ingress",
          "Helm chart: configurable resources for proxy pods",
          "Operator should support Gateway API",
          "Expose a Service with a custom hostname via the operator",
          "k8s operator: default tags per namespace",
          "Operator proxy pods lose state on restart",
          "API server proxy: map IdP groups to RBAC"],
  problems=["We have 12 clusters and want one consistent operator setup across them, not 12 hand-tuned installs.",
            "The ingress proxy is a single pod, so rolling the node pool causes downtime.",
            "Resource requests/limits for the proxies aren't configurable in the Helm chart and our admission policy rejects them."],
  asks=["Multi-cluster support with a shared config.",
        "Run proxies as a replicated StatefulSet.",
        "Expose all proxy pod settings in values.yaml."],
  code=[CB + "yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: grafana\n  annotations:\n    meshco.example/expose: \"true\"\n    meshco.example/hostname: \"grafana-prod\"\nspec:\n  type: ClusterIP\n  ports:\n    - port: 3000\n" + CB],
  sales=["platform team running 14 EKS clusters; want the operator to handle multi-cluster",
         "operator HA for ingress proxies is the blocker for moving off their tunnel vendor",
         "asked for Gateway API support in the k8s operator"],
  emp=[("Operator HA should be default", "Single-replica proxies are the top operator complaint in the community Slack.")])

T(id="k8s-egress", cat="feature", seg=["platform"], rt="both", n=(3, 0, 0, 0),
  short="Kubernetes egress to tailnet",
  labels=["enhancement", "area/kubernetes"],
  titles=["Egress: let pods reach tailnet services",
          "ExternalName-style service pointing at a tailnet host",
          "Cluster egress to a tailnet DB without a sidecar"],
  problems=["Pods need to reach a database that only lives on the tailnet. Sidecars in every deployment is too much.",
            "We want cluster workloads to talk to a tailnet host by a normal Service name."],
  asks=["An egress proxy configured with a Service annotation."])

T(id="terraform-provider", cat="feature", seg=["platform"], rt="cloud", n=(6, 1, 2, 1),
  short="Terraform provider improvements",
  labels=["enhancement", "area/terraform"],
  titles=["Terraform: manage individual ACL rules",
          "Terraform provider: import existing devices",
          "terraform plan shows a diff on every run for the policy",
          "Support split DNS config in Terraform",
          "Terraform: resource for tailnet settings",
          "Data source: devices by tag"],
  problems=["The policy is one big resource, so every team touches the same file and we get merge conflicts constantly.",
            "`terraform plan` shows a diff on the policy every single run because of whitespace normalisation.",
            "There's no way to import what we already created by hand."],
  asks=["Split the policy into rule-level resources.",
        "Normalise HuJSON before diffing.",
        "Support `terraform import` for all resources."],
  code=[CB + "hcl\nresource \"mesh_acl\" \"main\" {\n  acl = file(\"${path.module}/policy.hujson\")\n}\n\n# plan output, every run:\n#   ~ acl = <<-EOT\n#       # (1 unchanged attribute hidden)\n" + CB],
  sales=["platform team manages everything in Terraform; the permanent policy diff is a daily annoyance",
         "want terraform import for existing tailnet resources before they migrate"],
  emp=[("Fix the perpetual diff in the Terraform policy resource",
        "Small bug, huge annoyance. Mentioned in almost every platform QBR.")])

T(id="workload-identity-ci", cat="feature", seg=["vpn", "platform"], rt="cloud", n=(6, 3, 4, 2),
  short="workload identity for CI/CD", heat=1.6,
  labels=["enhancement", "area/identity", "area/ci"],
  titles=["Authenticate GitHub Actions via OIDC instead of auth keys",
          "Workload identity federation for CI",
          "No long-lived secrets for CI runners",
          "GitLab CI ID tokens for joining the tailnet",
          "Use cloud IAM identity (AWS/GCP) to join",
          "Trust GitHub OIDC tokens for ephemeral nodes"],
  problems=["We store an OAuth client secret in every repo that deploys over the tailnet. Rotating it is a nightmare.",
            "Our security team banned long-lived CI secrets this year.",
            "Engineers want just-in-time DB access tied to their own identity; CI wants the same model for jobs."],
  asks=["Accept OIDC tokens from GitHub Actions/GitLab/cloud providers and map claims to tags.",
        "For example `repo:example-org/api:ref:refs/heads/main` maps to `tag:deploy-prod`.",
        "Same identity model for humans and workloads, please."],
  code=[CB + "yaml\npermissions:\n  id-token: write\nsteps:\n  - uses: meshco/mesh-action@v3\n    with:\n      # what we want instead of oauth-secret:\n      oidc-audience: api.meshco.example\n      tags: tag:ci\n" + CB],
  sales=["want GitHub Actions OIDC so they can delete ~60 repo secrets",
         "workload identity for AWS: EC2 instances joining without auth keys",
         "their security team banned long-lived CI secrets; workload identity is the ask",
         "want the same identity model for humans (JIT DB access) and CI jobs"],
  emp=[("Workload identity is the bridge feature",
        "Same customers ask for JIT human access and OIDC for CI. One identity model covers both, entirely on the control plane side."),
       ("GitHub Actions OIDC quick win",
        "GitHub's OIDC is the 80% case. We could ship trust policies for it alone first.")])

T(id="services", cat="feature", seg=["vpn", "platform"], rt="both", n=(5, 2, 3, 2),
  short="services / service discovery", heat=1.3,
  labels=["enhancement", "area/services"],
  titles=["First-class services (a VIP per service, not per node)",
          "Service discovery across the tailnet",
          "Stable DNS name for a service backed by several nodes",
          "Load balance between nodes offering the same service",
          "Services: health checks"],
  problems=["Our internal apps move between hosts. Every move means telling people a new hostname.",
            "Microservice A needs to reach B without hardcoding node names."],
  asks=["A service object with its own IP and DNS name, backed by multiple hosts with health checks.",
        "Usable both for people (the employee portal) and for machines."],
  sales=["want services with stable names for internal tools first, service-to-service later",
         "asked if Mesh can replace Consul service discovery for ~200 services",
         "internal portal behind a service VIP instead of nginx"],
  emp=[("Services as the bridge", "Internal tools are how VPN customers discover platform use. A service VIP lets them do both with one primitive."),
       ("Health checks for services", "Without health checks, services are just DNS aliases. Needs client support to report health.")])

T(id="ephemeral-nodes", cat="feature", seg=["platform"], rt="both", n=(5, 1, 1, 0),
  short="ephemeral node cleanup",
  labels=["enhancement", "area/ci"],
  titles=["Ephemeral nodes linger too long after shutdown",
          "Faster cleanup of ephemeral nodes",
          "Hostname collisions with ephemeral nodes (-1, -2 suffixes)",
          "Reusable ephemeral keys per tag"],
  problems=["Ephemeral CI nodes stay in the device list for up to an hour, so the next job gets `runner-7-1`, `runner-7-2`...",
            "Hostnames with suffixes break our scripts."],
  asks=["Remove ephemeral nodes within a minute of going offline and free the hostname.",
        "A documented shutdown hook that logs out cleanly."],
  sales=["ephemeral runners leave junk in the device list; hostname suffixes break their monitoring"])

T(id="multiple-tailnets", cat="feature", seg=["vpn", "platform"], rt="cloud", n=(4, 3, 5, 1),
  short="multiple tailnets per org", quiet=True, heat=1.2,
  labels=["enhancement", "area/admin-console"],
  titles=["Multiple tailnets per account",
          "Separate prod and staging tailnets under one org",
          "Switch between tailnets without logging out",
          "Create tailnets via the API",
          "One billing account, many tailnets"],
  problems=["We want prod and staging isolated with different admins but one bill.",
            "We deploy a tailnet per customer environment. Today that means a new IdP account each time."],
  asks=["An org -> tailnets hierarchy with shared billing and SSO.",
        "An API to create and delete tailnets."],
  sales=["want separate tailnets per division with central billing",
         "MSP: needs one tailnet per end customer, managed from a single console",
         "their dev team asked for a throwaway tailnet per PR preview environment",
         "compliance requires prod isolated from the corp tailnet",
         "asked to consolidate 4 separately billed tailnets under one contract"],
  emp=[("Org > tailnet hierarchy", "Same primitive serves IT (segregation) and platform (ephemeral tailnets).")])

T(id="iot-enrollment", cat="feature", seg=["platform"], rt="both", n=(3, 1, 3, 1),
  short="IoT zero-touch enrollment",
  labels=["enhancement", "area/iot"],
  titles=["Bulk enrollment for IoT devices",
          "Pre-provision devices at the factory",
          "Smaller client binary for embedded Linux"],
  problems=["We ship ~2,000 gateways a month; each one needs to join on first boot with no human involved.",
            "The binary is ~30MB, too big for our 64MB flash."],
  asks=["Pre-authorized device keys burned in at manufacturing.", "A slim build."],
  sales=["IoT manufacturer, 40k devices; needs zero-touch enrollment",
         "field techs need access to deployed devices AND devices need to phone home; same fleet",
         "binary size on their ARMv7 devices is too big"],
  emp=[("Slim client build for IoT", "A build without the GUI bits and optional features would help our IoT pipeline.")])

T(id="sdk", cat="feature", seg=["platform"], rt="both", n=(5, 1, 1, 1),
  short="official SDKs (Go/Python)",
  labels=["enhancement", "area/sdk"],
  titles=["Official Python SDK",
          "Go library: embed a node in my app",
          "Docs for embedding a node",
          "Python bindings for the userspace node",
          "Rust SDK?"],
  problems=["We want our app to join the tailnet itself without installing a system daemon.",
            "We wrote a Python wrapper around the REST API; every team has their own copy."],
  asks=["Official Python and Go SDKs, for both the API and embedded nodes."],
  sales=["dev team wants an official Python SDK for API automation"],
  emp=[("Publish an official Python API client", "DevRel maintains three unofficial ones. Let's make one official.")])

T(id="api-rate-limits", cat="feature", seg=["platform"], rt="cloud", n=(4, 1, 2, 1),
  short="API rate limits",
  labels=["area/api"],
  titles=["API rate limits too low for automation",
          "429s when listing devices",
          "Document the API rate limit headers",
          "Pagination for the devices endpoint"],
  problems=["Our reconciler polls devices every 30s across three tailnets and keeps hitting 429s.",
            "No `Retry-After` header, so clients guess."],
  asks=["Higher limits on paid plans, documented limits, standard headers, pagination."],
  code=[CB + "\nHTTP/2 429\ncontent-type: application/json\n\n{\"message\":\"rate limit exceeded\"}\n" + CB],
  sales=["hitting API 429s during deploys; want higher limits",
         "asked for higher API limits for their provisioning system"],
  emp=[("Send Retry-After on 429", "Trivial and would stop a class of support tickets.")])

T(id="sidecar-image", cat="feature", seg=["platform"], rt="client", n=(3, 1, 0, 0),
  short="container image improvements",
  labels=["enhancement", "area/containers"],
  titles=["Official sidecar container docs",
          "Docker image: add a healthcheck endpoint",
          "Container image should not run as root"],
  problems=["Everyone copies a different sidecar example from blog posts.",
            "Our orchestrator needs a health endpoint to know when the tunnel is up."],
  asks=["A documented sidecar pattern, a health endpoint and a non-root image."])

T(id="serverless", cat="feature", seg=["platform"], rt="client", n=(3, 1, 0, 0),
  short="serverless runtimes",
  labels=["enhancement"],
  titles=["Run inside AWS Lambda",
          "Cloud Run support",
          "Mesh in serverless functions"],
  problems=["Our Lambdas need to reach a database on the tailnet.",
            "Cold starts with the current approach add seconds."],
  asks=["A documented, fast-starting userspace mode for serverless."])

T(id="gh-action-improvements", cat="feature", seg=["platform"], rt="client", n=(3, 0, 0, 0),
  short="GitHub Action improvements",
  labels=["enhancement", "area/ci"],
  titles=["GitHub Action: cache the binary",
          "GitHub Action fails on ARM runners",
          "Action: wait until a target is reachable before continuing"],
  problems=["The action downloads the client on every run.", "On ARM runners the action errors out."],
  asks=["Cache the binary, support ARM, add a 'wait for peer' option."])

T(id="prometheus-metrics", cat="feature", seg=["platform"], rt="client", n=(4, 1, 0, 1),
  short="client metrics endpoint",
  labels=["enhancement", "area/observability"],
  titles=["Expose Prometheus metrics from the client",
          "Metrics endpoint for relay/peer stats",
          "Client metrics for monitoring subnet routers",
          "OpenTelemetry export"],
  problems=["We can't tell if a subnet router is healthy until users complain.",
            "We want bytes per peer and relay vs direct counts in Grafana."],
  asks=["A `/metrics` endpoint on localhost with peer, relay and error counters."],
  emp=[("Client metrics endpoint", "SRE would use this for our own infra too.")])

T(id="cli-json-stable", cat="feature", seg=["platform"], rt="client", n=(2, 0, 0, 0),
  short="stable CLI JSON output",
  labels=["enhancement", "area/cli"],
  titles=["Stable schema for `mesh status --json`",
          "JSON output for `mesh netcheck`"],
  problems=["Our scripts parse `mesh status --json` and a field rename broke them.",
            "`netcheck` only prints human-readable output."],
  asks=["Version and document the JSON schema."])

# ----------------------------- singletons (voiced once) --------------------

T(id="nixos-module", cat="feature", seg=["vpn"], rt="client", n=(1, 0, 0, 0), short="NixOS module options",
  labels=["enhancement", "os/linux"], os=["Linux"],
  titles=["NixOS module: option for exit node and routes"],
  problems=["The NixOS module only exposes `enable`, everything else is an `ExecStartPost` hack."],
  asks=["Options for advertised routes, exit node and auth key file."])
T(id="ssh-agent-forwarding", cat="feature", seg=["vpn"], rt="client", n=(1, 0, 0, 0), short="SSH agent forwarding",
  labels=["enhancement", "area/ssh"],
  titles=["Mesh SSH: support agent forwarding"],
  problems=["With Mesh SSH I can't use `ssh -A` to pull from git on the remote host."],
  asks=["Support agent forwarding, opt-in per rule."])
T(id="mdns-across-subnets", cat="feature", seg=["vpn"], rt="client", n=(0, 1, 0, 0), short="mDNS across subnets",
  titles=["Can I see my printer / Chromecast across the subnet router?"],
  problems=["Discovery (mDNS) doesn't cross the subnet router, so AirPrint and casting don't show up when I'm away."],
  asks=["Relay mDNS across subnet routers, opt-in."])
T(id="purchase-order-billing", cat="feature", seg=["vpn"], rt="cloud", n=(0, 0, 1, 0), short="PO/invoice billing",
  titles=["invoice billing"], problems=["x"], asks=["x"],
  sales=["procurement wants annual PO + invoicing instead of a credit card, otherwise the expansion stalls"])
T(id="passkey-admin-login", cat="security", seg=["vpn"], rt="cloud", n=(0, 0, 0, 1), short="passkeys for admin login",
  titles=["x"], problems=["x"], asks=["x"],
  emp=[("Passkeys for admin console login",
        "Admins log in through their IdP, but break-glass owner accounts on small tailnets use email links. Passkeys would be a real security improvement there.")])
T(id="japanese-localization", cat="feature", seg=["vpn"], rt="client", n=(1, 0, 0, 0), short="Japanese localization",
  labels=["enhancement", "i18n"],
  titles=["Japanese translation for the desktop apps"],
  problems=["Our company is in Osaka; most staff are not comfortable with English UI for something like a VPN."],
  asks=["Localize the Windows and macOS apps into Japanese. We can help proofread."])
T(id="wake-on-lan", cat="feature", seg=["vpn"], rt="client", n=(0, 1, 0, 0), short="wake-on-LAN",
  titles=["Wake-on-LAN through the tailnet?"],
  problems=["I want to wake my gaming PC at home from my phone before I get there."],
  asks=["Let a node on the LAN send a magic packet on request."])
T(id="windows-arm64", cat="feature", seg=["vpn"], rt="client", n=(1, 0, 0, 0), short="native Windows ARM64",
  labels=["enhancement", "os/windows"], os=["Windows"],
  titles=["Native ARM64 build for Windows"],
  problems=["On Snapdragon laptops the x64 build runs under emulation; it works but battery life suffers."],
  asks=["Ship a native ARM64 build."])
T(id="admin-console-search", cat="feature", seg=["vpn"], rt="cloud", n=(0, 0, 0, 1), short="console search",
  titles=["x"], problems=["x"], asks=["x"],
  emp=[("Search devices by any field in the console",
        "When a customer shares a screen with 3,000 devices, finding one by IP or tag is painful. Free-text search over all fields please.")])
T(id="device-notes", cat="feature", seg=["vpn"], rt="cloud", n=(1, 0, 0, 0), short="notes on devices",
  labels=["enhancement", "area/admin-console"],
  titles=["Free-form notes on devices in the admin console"],
  problems=["We track who owns which server and why it exists in a spreadsheet next to the console."],
  asks=["A notes field per device, visible and editable in the console and API."])

NOISE = [
    dict(id="noise-test-issue", ch="github", title="test", body="", user="qq-tester-91"),
    dict(id="noise-install-question", ch="github", title="How do I install on Ubuntu?",
         body="i followed the guide but `mesh` command not found after install. what am i doing wrong\n\nUbuntu 22.04", user="newbie-ops"),
    dict(id="noise-spam", ch="github", title="Claim your free tokens now",
         body="Limited airdrop for early adopters!!! visit hxxp://example.net/claim before it ends", user="promo-bot-7731"),
    dict(id="noise-vps-question", ch="reddit", title="Cheapest VPS for an exit node?",
         body="Looking for something under $5/month in Europe. What do you all use?", flair="Question", sub="selfhosted"),
    dict(id="noise-sticker", ch="reddit", title="Made a sticker for my laptop, thoughts?",
         body="[image]\n\nnot affiliated, just like the product lol", flair=None, sub="meshvpn"),
    dict(id="noise-comparison", ch="reddit", title="Mesh vs plain WireGuard vs the others - what did you pick and why?",
         body="Setting up a homelab and overwhelmed by options. Not looking for a flame war, genuinely curious.", flair="Discussion", sub="homelab"),
    dict(id="noise-dead-sub", ch="reddit", title="is this sub dead or what", body="", flair=None, sub="meshvpn"),
    dict(id="noise-sales-reschedule", ch="sales", note="Call rescheduled by customer to next week. No product feedback."),
    dict(id="noise-sales-intro", ch="sales", note="Intro call. Very early; still evaluating whether they need a VPN at all. Sent pricing page + case studies."),
    dict(id="noise-coffee", ch="employee", title="Better coffee in the Toronto office",
         body="The machine on 4 has been broken for two weeks. Not a product idea, sorry, but where else do I put this?", team="Finance"),
]

# ---------------------------------------------------------------------------
# People and accounts (all fictional)
# ---------------------------------------------------------------------------

GH_USERS = [
    "mkowalski-dev", "netops-raj", "sarahq", "jpetrov", "hollis-b", "dkato", "the-real-fenwick", "ablackwood",
    "lucia-m", "tgrieve", "oskar-lind", "zmoreau", "yusuf-ak", "c0ldbrew", "pkellner", "infra-ana", "bstrand",
    "wendel", "ghost-in-the-nat", "ravenclaw-ops", "kwame-o", "emilyzh", "drossi", "sysadm1n-pete",
    "marisol-dev", "h4rdw4re", "leobauer", "nsingh-sre", "fjord-dev", "tmcallister", "quietpacket", "igor-v",
    "jana-novak", "rkhan", "aleph-null", "mwhitlock", "sven-e", "noor-h", "bytewrangler", "cpaquette",
    "lotte-vd", "gabe-ortiz", "ops-at-3am", "snowpea", "akira-t", "benji-k", "rfc1918", "deltaforce-it",
    "moss-ops", "elena-ivanova", "pdx-homelab", "torvik", "nadia-s", "cjwatts", "kube-kat", "devon-x",
    "mira-c", "lp0-on-fire", "hkarlsson", "tomasz-w", "vgupta", "ellie-r", "fern-gully-dev", "ozzy-ops",
    "rbergstrom", "dani-lopez", "packetloss", "wgquick", "j-okafor", "ingrid-t", "mattie-b", "ptr-record",
    "samir-h", "klaus-m", "ocean-ops", "q-lambert", "ruthless-resolver", "zedd-io", "amara-n", "chen-wei-dev",
    "bonnie-s", "route-flap", "nate-builds", "kestrel-admin", "yolanda-f", "marek-p", "ttl-expired",
    "gwen-ops", "arjun-k", "liv-h", "homelab-hank", "b-yamamoto", "ferris-fan", "sudo-sandwich", "olu-a",
    "katarina-d", "edge-case-ed", "mbeck", "sandra-it", "vlan42", "pieter-j", "ciara-mc", "xavier-r",
]
LOUD_USER = "b0rkd_pf"
MAINTAINERS = ["avery-meshco", "jlin-mco", "tobias-meshco", "nkamara-meshco", "rosa-meshco"]

REDDIT_USERS = [
    "throwaway_netops", "homelabber42", "PacketPusherPaula", "not_a_sysadmin", "DNS_is_always_it", "rackmount_randy",
    "quietsre", "tiny_k8s_cluster", "pi_in_the_closet", "coffee_and_cron", "WiFiWarrior", "UbiquitiUndertaker",
    "gl1tchy", "Ok-Bandicoot-2231", "Late-Ad-8812", "Substantial_Owl_19", "Different-Radish-44", "macadmin_mo",
    "the_intune_guy", "burnt_toast_ops", "ZeroTrustMe", "selfhost_or_die", "yaml_engineer", "cron_job_carl",
    "ArmchairNetEng", "NASty_habits", "kubelet_kate", "Careful-Mango-903", "Witty-Heron-5512", "exitnode_enjoyer",
    "debian_dad", "DarkModeOrDeath", "iphone_battery_anxiety", "SplitTunnelSam", "Fluffy-Lettuce-77",
    "proxmox_pilgrim", "TerraformedMyLife", "latency_larry", "router_on_a_stick", "bigbrainbastion",
]

EMPLOYEES = [
    ("Priya Raman", "Support"), ("Mateo Santos", "Support"), ("Hannah Okoye", "Support"),
    ("Liam Gallagher-Price", "Support"), ("Yuki Hasegawa", "Client Platform"), ("Ben Adeyemi", "Client Platform"),
    ("Carla Mendes", "Client Platform"), ("Owen Fairbanks", "Control Plane"), ("Aisha Qureshi", "Control Plane"),
    ("Jonas Weber", "Security"), ("Farah Haddad", "Security"), ("Grace Kim", "Sales Engineering"),
    ("Tomas Novak", "Sales Engineering"), ("Rachel Stein", "Customer Success"), ("Diego Ramirez", "Customer Success"),
    ("Nia Thompson", "DevRel"), ("Sanjay Iyer", "DevRel"), ("Eva Lindgren", "Design"), ("Malik Johnson", "SRE"),
    ("Chloe Dubois", "Product Marketing"), ("Ravi Patel", "Platform Engineering"), ("Ines Castro", "Platform Engineering"),
    ("Kofi Mensah", "Finance"),
]
TEAMS_FOR = {
    "security": ["Security", "Sales Engineering", "Customer Success"],
    "reliability": ["Support", "Client Platform", "SRE"],
    "performance": ["Client Platform", "Support", "SRE"],
    "feature-vpn": ["Support", "Design", "Sales Engineering", "Customer Success", "Product Marketing"],
    "feature-platform": ["DevRel", "Platform Engineering", "Control Plane", "Sales Engineering"],
}

# name, ARR (USD), lean, account team
ACCOUNTS = [
    ("Northwind Logistics", 240000, "vpn", ["Dana Whitfield (AE)", "Marcus Oyelaran (SE)"]),
    ("Halcyon Freight Partners", 1850000, "hybrid", ["Ines Duarte (AE)", "Raj Menon (SE)", "Sophie Lindqvist (CSM)"]),
    ("Bramblewood Health", 1420000, "vpn", ["Tom Alvarez (AE)", "Keiko Brandt (CSM)"]),
    ("Ostrander Capital", 960000, "vpn", ["Dana Whitfield (AE)", "Raj Menon (SE)"]),
    ("Quillfeather Labs", 38000, "platform", ["Leo Marchetti (AE)"]),
    ("Redpine Robotics", 310000, "platform", ["Ines Duarte (AE)", "Marcus Oyelaran (SE)"]),
    ("Cobaltline Telecom", 2000000, "hybrid", ["Tom Alvarez (AE)", "Raj Menon (SE)", "Keiko Brandt (CSM)"]),
    ("Meridian Ag Systems", 185000, "platform", ["Leo Marchetti (AE)", "Marcus Oyelaran (SE)"]),
    ("Tessellate Games", 72000, "hybrid", ["Priyanka Sood (AE)"]),
    ("Ironbark Mining Co", 540000, "vpn", ["Tom Alvarez (AE)", "Sophie Lindqvist (CSM)"]),
    ("Lumen & Vale Architects", 14000, "vpn", ["Priyanka Sood (AE)"]),
    ("Kestrel Defense Systems", 1275000, "vpn", ["Dana Whitfield (AE)", "Raj Menon (SE)"]),
    ("Pinecrest Unified School District", 56000, "vpn", ["Priyanka Sood (AE)"]),
    ("Saltmarsh Biotech", 430000, "hybrid", ["Ines Duarte (AE)", "Keiko Brandt (CSM)"]),
    ("Vantablue Media", 125000, "vpn", ["Leo Marchetti (AE)"]),
    ("Harbor & Finch LLP", 9000, "vpn", ["Priyanka Sood (AE)"]),
    ("Gridwise Energy", 780000, "hybrid", ["Tom Alvarez (AE)", "Marcus Oyelaran (SE)"]),
    ("Orbitfold Analytics", 265000, "platform", ["Ines Duarte (AE)", "Raj Menon (SE)"]),
    ("Copperleaf Insurance", 1100000, "vpn", ["Dana Whitfield (AE)", "Sophie Lindqvist (CSM)"]),
    ("Thistle Retail Group", 350000, "vpn", ["Leo Marchetti (AE)", "Keiko Brandt (CSM)"]),
    ("Nimbus Kettle", 24000, "platform", ["Priyanka Sood (AE)"]),
    ("Driftwood Dental Partners", 5000, "vpn", ["Priyanka Sood (AE)"]),
    ("Blue Heron Credit Union", 98000, "vpn", ["Leo Marchetti (AE)"]),
    ("Sparrowhawk Aerospace", 1650000, "hybrid", ["Ines Duarte (AE)", "Raj Menon (SE)", "Sophie Lindqvist (CSM)"]),
    ("Fenwick-Oduya Consulting", 18500, "vpn", ["Priyanka Sood (AE)"]),
    ("Larchmont University", 210000, "vpn", ["Leo Marchetti (AE)", "Marcus Oyelaran (SE)"]),
    ("Polyglot Payments", 690000, "platform", ["Tom Alvarez (AE)", "Raj Menon (SE)"]),
    ("Stonebridge Manufacturing", 145000, "hybrid", ["Leo Marchetti (AE)"]),
    ("Wavecrest Hospitality", 62000, "vpn", ["Priyanka Sood (AE)"]),
    ("Tinplate IoT", 420000, "platform", ["Ines Duarte (AE)", "Marcus Oyelaran (SE)"]),
    ("Hollowell Farms Co-op", 11000, "platform", ["Priyanka Sood (AE)"]),
]

# ---------------------------------------------------------------------------
# Text fragments shared by all topics
# ---------------------------------------------------------------------------

VERSIONS = ["1.80.2", "1.80.4", "1.82.0", "1.82.5", "1.84.0", "1.84.2", "1.86.1", "1.86.4", "1.88.0", "1.88.3", "1.90.1"]
OS_VERSIONS = {
    "macOS": ["14.7.2", "15.2", "15.3.1", "15.5", "26.0"],
    "Windows": ["11 23H2", "11 24H2", "10 22H2", "Server 2022", "10 LTSC 2021"],
    "Linux": ["Ubuntu 24.04", "Debian 12", "Fedora 41", "Arch (rolling)", "NixOS 24.11", "RHEL 9.4", "Ubuntu 22.04"],
    "iOS": ["18.3", "18.4.1", "18.5", "26.0.1"],
    "Android": ["14 (One UI 6.1)", "15 (Pixel 8)", "14", "15 (OxygenOS)"],
    "OpenBSD": ["7.6", "7.7"],
}
OTHER_SOFTWARE = ["_No response_", "_No response_", "CrowdStrike Falcon", "Little Snitch", "Docker Desktop",
                  "Cisco Secure Client installed but disabled", "Pi-hole on the LAN", "Zscaler (disabled)", "none"]
CHANGES = ["_No response_", "Upgraded the client last week.", "Not that I know of.", "Happens since the {ver} update.",
           "We rolled out a new Wi-Fi controller around the same time, not sure if related.", "no"]

OPENERS = ["Hi!", "Hey folks,", "First off, thanks for Mesh - it replaced a truly awful OpenVPN setup for us.",
           "Not sure if this is a bug or a feature request.", "Apologies if this is a dupe, I searched and couldn't find one.",
           "Hello team,", "Long time user, first issue.", "So.", "Hi all - opening this on behalf of our IT team.",
           "Posting here because support told me to."]
CLOSERS = ["Thanks!", "Happy to test a build.", "Let me know if you need logs.", "cheers", "Thx",
           "Thanks for all the work on this project.", "Would be happy to hop on a call to explain our setup.", ""]
SIGNATURES = ["-- sent from my phone", "Sent from my iPhone", "--\nMarco\nInfra @ a small fintech",
              "-- \nK. (IT, 40-person nonprofit)", "Regards,\nD."]
VPN_CTX = ["We're about {n} people, mostly remote, mixed Mac and Windows.",
           "IT team of three looking after ~{n} devices.",
           "Homelab user here, {s} nodes on the personal plan.",
           "Small agency, {s} seats, everyone on laptops.",
           "We moved {n} users off our old VPN concentrator last year."]
PLAT_CTX = ["We have ~{n} nodes, mostly CI runners and containers.",
            "Platform team at a mid-size SaaS: about {s} services across 4 clusters.",
            "We connect build agents to staging, roughly {n} ephemeral nodes a day.",
            "Running {n} edge devices plus a handful of servers."]
IMPACT = {
    "security": ["We can't pass our next audit without some answer here.",
                 "Right now we compensate with a manual process nobody enjoys.",
                 "It's the one thing our security team keeps bringing up.",
                 "We're evaluating alternatives partly because of this."],
    "reliability": ["Users lose trust in the VPN and start working around it.", "Lots of helpdesk tickets."],
    "performance": ["People turn it off to get work done.", "It makes Mesh look slow compared to what we had."],
    "feature": ["Not a blocker, but it would save us a lot of time.",
                "We'd probably move our remaining users over.",
                "Without it we keep a second tool around just for this.",
                "Nice to have.", "_No response_"],
}
ASK_INTROS = ["What I'd want:", "My wish:", "Ideally:", "Feature idea:", "What would fix it for me:", "Suggestion:"]
REDDIT_OPENERS = ["Long time lurker.", "Sysadmin here.", "So I've been using Mesh for about a year now.",
                  "Quick question / mini rant.", "Not sure if this is the right place.", "", "", "Mods delete if not allowed."]
REDDIT_CLOSERS = ["Or am I missing something obvious?", "Edit: typo", "EDIT: yes I searched the sub first.",
                  "Anyone found a workaround?", "", "", "Would love to hear how others deal with this."]

MISSPELL = {"definitely": "definately", "receive": "recieve", "separate": "seperate", "the": "teh",
            "because": "becuase", "until": "untill", "which": "wich", "really": "realy", "access": "acess",
            "connection": "conection", "whether": "wether", "environment": "enviroment", "every": "evrey"}

SALES_LEADS = ["Call w/ their {team} team:", "QBR notes -", "Met w/ {who}.", "Renewal prep call.",
               "Discovery call, champion is their {role}.", "Summary of the shared Slack thread:",
               "Quick sync w/ {who}.", "Exec sponsor check-in.", "Onsite workshop recap:", "POC midpoint review."]
SALES_WHY = ["Blocker for renewal in {q}.", "Competitive: {comp} is in the deal.", "Would unlock ~{seats} more seats.",
             "Not a blocker, but it keeps coming up.", "They have a homegrown workaround today.",
             "Flagged in their security review.", "Champion is pushing for it internally.",
             "Tied to a {amt} expansion we're forecasting for {q}.", "They said it's 'table stakes' at their size.",
             "Mentioned it twice in 30 min, seems important to them."]
SALES_NEXT = ["Told them it's on our radar, no dates.", "Promised a follow-up with PM.", "Sent the docs link; didn't land.",
              "Need PM on the next call.", "Logged it, will chase.", "AI: get roadmap slide cleared for external use.",
              "", "", "Next mtg in 2 wks."]
COMPETITORS = ["Zscaler", "Twingate", "Cloudflare", "Netskope", "Palo Alto", "a DIY WireGuard setup", "Teleport", "StrongDM"]

LOUD_COMMENTS = [
    "Any update? I'm happy to test anything you throw at me, my router is a spare APU2.",
    "Tried again with {ver}. Same thing. Userspace mode starts, forwarding doesn't:\n\n" + CB + "\n$ doas meshd --tun=userspace-networking\n...\nforwarding: not supported in userspace mode on openbsd\n" + CB,
    "For what it's worth wg(4) has been in base since 6.8. It's not exotic.",
    "@avery-meshco is there someone on the team I can talk to about this? I've written a pf anchor that works for me, could open a PR.",
    "Pushed my hacky patch here: https://github.com/b0rkd-pf/mesh/commit/4c1d0e2 - not pretty, but routes work.",
    "Bump. It's been a while.",
    "Still broken on {ver}. I rebuilt from source, same result.",
    "Benchmarks for the curious (APU2, userspace): ~60 Mbit/s. With my patch and wg(4): ~540 Mbit/s.",
    "> we don't have OpenBSD in CI right now\n\nI would honestly donate a VM for that.",
    "I know OpenBSD is niche. But people who run it tend to run it on the routers, which is exactly where a subnet router lives.",
    "Any chance this gets looked at this quarter?",
    "Rebased the patch on main. Still applies cleanly except for one hunk in the router package.",
    "Going to post on reddit too, maybe a few more people there want this.",
    "Ping. Sorry to be that person.",
    "Another month, another bump. Is there a roadmap item I can follow instead?",
]
LOUD_SHORT = [
    "Any update? See also my other issue, same root cause.",
    "Still broken on {ver}.",
    "Ping.",
    "This is the same problem as my first issue, just from a different angle. Happy to test.",
    "wg(4) is in base. Please.",
]
LOUD_OTHER = [
    "Same on OpenBSD, but that's a whole other story (see my issues).",
    "Would love this, plus OpenBSD support, but I'll take anything.",
]

# ---------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.pools = {}
        self.items = {t["id"]: [] for t in TOPICS}
        self.secondary = {t["id"]: [] for t in TOPICS}
        self.topic_by_id = {t["id"]: t for t in TOPICS}
        self.issues = []
        self.posts = []
        self.notes = []
        self.ideas = []
        self.used_reddit_ids = {}
        self.account_use = {}

    # -- small helpers ------------------------------------------------------

    def pick(self, seq):
        return seq[self.r.randrange(len(seq))]

    def chance(self, p):
        return self.r.random() < p

    def nxt(self, topic, key):
        """Round-robin over a topic's pool, reshuffled each round."""
        k = (topic["id"], key)
        st = self.pools.get(k)
        items = topic[key]
        if st is None:
            st = {"order": [], "round": 0}
            self.pools[k] = st
        if not st["order"]:
            st["order"] = list(range(len(items)))
            self.r.shuffle(st["order"])
            st["round"] += 1
        return items[st["order"].pop()], st["round"] > 1

    def dt_between(self, lo, hi):
        span = (hi - lo).total_seconds()
        return lo + dt.timedelta(seconds=int(self.r.random() * span))

    def topic_dt(self, topic):
        if topic["window"]:
            m0, m1 = topic["window"]
            lo = dt.datetime(2026, m0, 1, tzinfo=dt.timezone.utc)
            hi = dt.datetime(2026, m1 + 1, 1, tzinfo=dt.timezone.utc) if m1 < 12 else END
            if self.chance(0.8):
                return self.dt_between(max(lo, START), min(hi, END))
        return self.dt_between(START, END)

    def version_at(self, when):
        i = min(len(VERSIONS) - 1, (when.month - 1) + self.r.randrange(-1, 2))
        return VERSIONS[max(0, i)]

    def typo(self, s, p=0.12):
        if not self.chance(p):
            return s
        words = s.split(" ")
        idx = [i for i, w in enumerate(words) if w.isalpha() and len(w) >= 4]
        if not idx:
            return s
        i = self.pick(idx)
        w = words[i]
        if w.lower() in MISSPELL and self.chance(0.8):
            nw = MISSPELL[w.lower()]
            if w[0].isupper():
                nw = nw[0].upper() + nw[1:]
        else:
            j = self.r.randrange(1, len(w) - 2)
            nw = w[:j] + w[j + 1] + w[j] + w[j + 2:]
        words[i] = nw
        return " ".join(words)

    def casual(self, s):
        """Lower-effort writing: drop the final period, sometimes lowercase."""
        if self.chance(0.3) and s.endswith("."):
            s = s[:-1]
        if self.chance(0.25) and not s.startswith("`"):
            s = s[0].lower() + s[1:]
        return s

    def ctx(self, topic):
        pool = PLAT_CTX if topic["seg"] == ["platform"] else VPN_CTX
        if topic["seg"] == ["vpn", "platform"] and self.chance(0.5):
            pool = PLAT_CTX
        return self.pick(pool).format(n=self.pick([12, 35, 80, 140, 300, 650, 1200, 4000]),
                                      s=self.pick([3, 5, 7, 9, 12, 20]))

    def gh_user(self):
        # Zipf-ish: early logins in the list show up more often
        i = int(len(GH_USERS) * (self.r.random() ** 1.8))
        return GH_USERS[i]

    def mutate_title(self, title, reused, cat):
        if reused:
            title = self.pick(["[Feature Request] ", "FR: ", "Request: ", "", "Bug?: ", "Feature: "]) + title
            if self.chance(0.4):
                title = title.lower()
        else:
            if self.chance(0.12):
                title = ("[Bug] " if cat in ("reliability", "performance") else "[Feature Request]: ") + title
            elif self.chance(0.1):
                title = title.lower()
        return self.typo(title, 0.08)

    # -- GitHub ---------------------------------------------------------------

    def labels_for(self, topic, state):
        cat = topic["cat"]
        base = {"security": ["security"], "reliability": ["bug"], "performance": ["performance"],
                "feature": [self.pick(["enhancement", "feature-request"])]}[cat]
        extra = [l for l in topic["labels"] if self.chance(0.7) and l not in ("enhancement", "feature-request")]
        out = []
        for l in base + extra:
            if l not in out:
                out.append(l)
        if state == "open" and self.chance(0.3):
            out.append("needs-triage")
        return out

    def issue_body(self, topic, when, os_name):
        cat = topic["cat"]
        prob, _ = self.nxt(topic, "problems")
        prob = self.typo(prob)
        ask, _ = self.nxt(topic, "asks")
        ask = self.typo(ask)
        code = self.pick(topic["code"]) if topic["code"] and self.chance(0.55) else None
        style_w = {"template": 4, "ramble": 3, "terse": 2}
        style = self.r.choices(list(style_w), weights=list(style_w.values()))[0]
        ver = self.version_at(when)
        if style == "terse":
            return self.pick([ask, self.casual(prob), "Title says it all. " + ask,
                              self.casual(prob) + " " + ask, ask + "\n\nthanks"]), prob
        if style == "template" and cat in ("reliability", "performance"):
            steps = topic["steps"] or "_No response_"
            osv = self.pick(OS_VERSIONS.get(os_name, ["_No response_"]))
            parts = ["### What is the issue?", prob + ("\n\n" + code if code else ""),
                     "### Steps to reproduce", steps,
                     "### Are there any recent changes that introduced the issue?",
                     self.pick(CHANGES).format(ver=ver),
                     "### OS", os_name, "### OS version", osv,
                     "### Mesh version", ver, "### Other software", self.pick(OTHER_SOFTWARE),
                     "### Bug report",
                     "BUG-%032x-%s-%016x" % (self.r.getrandbits(128), when.strftime("%Y%m%d%H%M%S") + "Z",
                                             self.r.getrandbits(64)) if self.chance(0.7) else "_No response_"]
            return "\n\n".join(parts), prob
        if style == "template":
            more_prob = ""
            if len(topic["problems"]) > 1 and self.chance(0.35):
                p2, _ = self.nxt(topic, "problems")
                more_prob = " " + p2
            extra = []
            if code:
                extra.append(code)
            if self.chance(0.3):
                extra.append(self.ctx(topic))
            parts = ["### What are you trying to do?", prob + more_prob,
                     "### How should we solve it?", ask,
                     "### What is the impact of not solving this?", self.pick(IMPACT[cat]),
                     "### Anything else?", "\n\n".join(extra) if extra else "_No response_"]
            return "\n\n".join(parts), prob
        # ramble
        paras = []
        op = self.pick(OPENERS)
        if op:
            paras.append(op)
        paras.append(self.ctx(topic) + " " + prob)
        if len(topic["problems"]) > 1 and self.chance(0.5):
            p2, _ = self.nxt(topic, "problems")
            paras.append(self.typo(self.pick(["Also: ", "On top of that, ", "And ", "To make it worse, "]) + p2[0].lower() + p2[1:]))
        if code:
            paras.append(self.pick(["Here's what it looks like:", "Output:", "Example:", "Logs:"]) + "\n\n" + code)
        paras.append(self.pick(ASK_INTROS) + " " + ask)
        if len(topic["asks"]) > 1 and self.chance(0.4):
            a2, _ = self.nxt(topic, "asks")
            paras.append(a2)
        if self.chance(0.2):
            paras.append("Docs I looked at: https://meshco.example/docs/" + topic["id"].split("-")[0])
        cl = self.pick(CLOSERS)
        if cl:
            paras.append(cl)
        if self.chance(0.12):
            paras.append(self.pick(SIGNATURES))
        return "\n\n".join(paras), prob

    def comment_text(self, topic, issue, when, used_maint):
        kinds = {"plus1": 22, "same_env": 10, "quote": 9, "restate": 14, "ask": 8, "workaround": 6 if topic["wk"] else 0,
                 "bump": 8, "maint": 0 if used_maint else 7, "dupe": 3, "offtopic": 2}
        k = self.r.choices(list(kinds), weights=list(kinds.values()))[0]
        ver = self.version_at(when)
        fb = None
        if k == "plus1":
            s = self.pick(["+1", "+1 from us", "\U0001F44D", "+1, would really help", "Same here.", "Also hitting this.",
                           "+1 (~%d nodes)" % self.pick([20, 60, 150, 900]), "+1 we need this too", "+1\n\n-- sent from my phone"])
        elif k == "same_env":
            os_name = self.pick(topic["os"] or ["macOS", "Windows", "Linux"])
            osv = self.pick(OS_VERSIONS.get(os_name, ["?"]))
            if topic["cat"] in ("reliability", "performance"):
                s = "Same on %s %s, client %s." % (os_name, osv, ver)
            else:
                s = self.pick(["We'd use this on %s too." % os_name, "Same need here (%s fleet, client %s)." % (os_name, ver)])
        elif k == "quote":
            sent = issue["_quote"].split(". ")[0].rstrip(".")
            s = "> %s\n\n%s" % (sent, self.pick(["This. Exactly our situation.", "Can confirm.",
                                                   "Same, and we have a few hundred devices.", "This is the part that hurts most for us.",
                                                   "yep"]))
        elif k == "restate":
            p, _ = self.nxt(topic, "problems")
            if p in issue["body"] or p in issue["_seen"]:
                p = self.pick(["Also hitting this.", "Same here, for what it's worth.", "+1"])
            issue["_seen"].append(p)
            s = self.pick(["Same boat. ", "We see this too. ", "Adding our case: ", "", "Not exactly the same but close: "]) + p
        elif k == "ask":
            a, _ = self.nxt(topic, "asks")
            if a in issue["body"] or a in issue["_seen"]:
                a = self.pick(["anything along these lines would do.", "whatever the simplest version is."])
            issue["_seen"].append(a)
            s = self.pick(["What would work for us: ", "+1. Ideally: ", "Would be enough for us if: ", ""]) + a
        elif k == "workaround":
            s = self.pick(topic["wk"])
        elif k == "bump":
            still = ("Still happening on %s." if topic["cat"] in ("reliability", "performance") else "Still not possible as of %s.") % ver
            s = self.pick(["Any update on this?", "bump", "Is this on the roadmap at all?", still,
                           "Any news? It's been a while.", "Bumping because this bit us again today."])
        elif k == "maint":
            s = self.pick(["Thanks for the report! Could you run `mesh bugreport` and post the ID here?",
                           "Thanks - we're tracking this internally. No timeline yet, but the details help.",
                           "Thanks for writing this up. Can you share a bit more about the environment (OS, client version, how many nodes)?",
                           "This is on our list. The more concrete use cases people add here, the easier it is for us to prioritise.",
                           "Linking #\u00a7DUPE\u00a7 which looks related."])
            fb = "Thanks for the report, we're looking into it."
        elif k == "dupe":
            s = self.pick(["Duplicate of #\u00a7DUPE\u00a7?", "Looks like the same thing as #\u00a7DUPE\u00a7",
                           "Possibly related: #\u00a7DUPE\u00a7"])
            fb = "+1"
        else:
            others = [t for t in TOPICS if t["id"] != topic["id"] and t["n"][0] > 0]
            o = self.pick(others)
            s = "Unrelated, but while someone is looking at this area: %s would be nice too." % o["short"]
        s = self.typo(s, 0.12)
        return s, k, fb

    def make_comments(self, topic, issue, n, start):
        times = []
        t = start
        for _ in range(n):
            t = t + dt.timedelta(minutes=int(self.r.expovariate(1 / (60 * 24 * 6))) + 7)
            if t > END:
                t = END - dt.timedelta(minutes=self.r.randrange(1, 600))
            times.append(t)
        times.sort()
        out = []
        used_maint = False
        for when in times:
            body, kind, fb = self.comment_text(topic, issue, when, used_maint)
            if kind == "maint":
                user = self.pick(MAINTAINERS)
                used_maint = True
            elif kind == "bump" and self.chance(0.4):
                user = issue["user"]["login"]
            else:
                user = self.gh_user()
                if user == issue["user"]["login"]:
                    user = self.gh_user()
            if topic["id"] != "openbsd-support" and self.chance(0.01):
                user, body, fb = LOUD_USER, self.pick(LOUD_OTHER), None
            out.append({"user": {"login": user}, "body": body, "created_at": when, "_fb": fb})
        return out

    def build_github(self):
        for topic in TOPICS:
            n = topic["n"][0]
            if not n:
                continue
            dates = sorted(self.topic_dt(topic) for _ in range(n))
            for i, when in enumerate(dates):
                os_name = self.pick(topic["os"]) if topic["os"] else None
                if os_name is None:
                    os_name = self.pick(["macOS", "Windows", "Linux", "Linux"] if topic["seg"] != ["platform"] else ["Linux"])
                title, reused = self.nxt(topic, "titles")
                title = self.mutate_title(title, reused, topic["cat"])
                body, quote = self.issue_body(topic, when, os_name)
                user = self.pick(topic["users"]) if topic["users"] else self.gh_user()
                closed = self.chance(0.28 if topic["cat"] in ("reliability", "performance") else 0.14)
                issue = {"_topic": topic["id"], "_when": when, "_quote": quote, "_closed": closed, "_seen": [],
                         "title": title, "body": body, "user": {"login": user}}
                heat = topic["heat"] * (2.5 if i == 0 else 1.0)
                nc = min(20, int(self.r.expovariate(1 / (1.25 * heat))))
                comments = self.make_comments(topic, issue, nc, when)
                if topic["id"] == "openbsd-support":
                    comments = self.loud_comments(issue, when, main=(i == 0))
                last = comments[-1]["created_at"] if comments else when
                if closed:
                    close_at = last + dt.timedelta(hours=self.r.randrange(2, 24 * 20))
                    close_at = min(close_at, END)
                    if topic["cat"] in ("reliability", "performance") and self.chance(0.5):
                        txt, fb, why = ("This should be fixed in %s. Please reopen if you still see it." % self.version_at(close_at), None, "fixed")
                    else:
                        txt, fb, why = ("Closing as a duplicate of #\u00a7DUPE\u00a7 - please add your use case and a thumbs-up there.",
                                        "Closing for now; we've recorded the request internally. Thanks!", "duplicate")
                    comments.append({"user": {"login": self.pick(MAINTAINERS)}, "body": txt, "created_at": close_at, "_fb": fb})
                    issue["_close_why"] = why
                    last = close_at
                issue["_comments"] = comments
                issue["_updated"] = min(END, last + dt.timedelta(minutes=self.r.randrange(0, 90)))
                issue["_reactions"] = self.reactions(heat)
                issue["_labels"] = self.labels_for(topic, "closed" if closed else "open")
                self.issues.append(issue)
        for nz in NOISE:
            if nz["ch"] != "github":
                continue
            when = self.dt_between(START, END)
            issue = {"_topic": nz["id"], "_when": when, "_quote": nz["title"], "_closed": nz["id"] != "noise-install-question",
                     "title": nz["title"], "body": nz["body"], "user": {"login": nz["user"]}}
            comments = []
            if nz["id"] == "noise-install-question":
                comments.append({"user": {"login": "wgquick"}, "body": "Did you log out and back in? The installer adds it to a path that your current shell doesn't know about yet.",
                                 "created_at": when + dt.timedelta(hours=3), "_fb": None})
                comments.append({"user": {"login": nz["user"]}, "body": "that was it lol. thanks",
                                 "created_at": when + dt.timedelta(hours=5), "_fb": None})
            else:
                comments.append({"user": {"login": self.pick(MAINTAINERS)}, "body": "Closing - not an actionable issue.",
                                 "created_at": when + dt.timedelta(hours=1), "_fb": None})
            issue["_comments"] = comments
            issue["_updated"] = comments[-1]["created_at"] + dt.timedelta(minutes=3)
            issue["_reactions"] = {"+1": 0, "heart": 0, "hooray": 0, "rocket": 0}
            issue["_labels"] = {"noise-install-question": [{"name": "question"}],
                                "noise-spam": [{"name": "invalid"}, {"name": "spam"}]}.get(nz["id"], [{"name": "invalid"}])
            issue["_labels"] = [l["name"] for l in issue["_labels"]]
            issue["_close_why"] = "invalid"
            self.issues.append(issue)

    def loud_comments(self, issue, start, main):
        n = 19 if main else self.r.randrange(3, 5)
        t = start
        out = []
        loud = list(LOUD_COMMENTS)  # written in chronological order
        short = list(LOUD_SHORT)
        self.r.shuffle(short)
        for j in range(n):
            t = t + dt.timedelta(hours=self.r.randrange(6, 24 * 14))
            if t > END:
                t = END - dt.timedelta(hours=n - j)
            ver = self.version_at(t)
            if main and j in (2, 11):
                user, body = self.pick(MAINTAINERS), ("Thanks for the detail. To be upfront: we don't have OpenBSD in CI right now, so this isn't something we can promise soon." if j == 2
                                                      else "Appreciate the patch. We can't take it as-is (it touches the router package in ways we need to think about), but it's useful input.")
            elif main and j in (5, 8, 14):
                user, body = self.gh_user(), self.pick(["+1, same setup here (OpenBSD on the edge).", "+1", "Would use this on my home router too."])
            elif main:
                user, body = LOUD_USER, loud.pop(0).format(ver=ver)
            else:
                user, body = LOUD_USER, short.pop().format(ver=ver)
            out.append({"user": {"login": user}, "body": body, "created_at": t, "_fb": None})
        out.sort(key=lambda c: c["created_at"])
        return out

    def reactions(self, heat):
        plus = int(min(40 * heat, heat * (self.r.paretovariate(1.7) - 1) * 6))
        if heat >= 4:
            plus += int(25 * heat)
        return {"+1": plus, "heart": self.r.randrange(0, 4) if self.chance(0.25) else 0,
                "hooray": 1 if self.chance(0.05) else 0,
                "rocket": self.r.randrange(1, 3) if self.chance(0.08) else 0}

    def finish_github(self):
        self.issues.sort(key=lambda i: i["_when"])
        by_topic = {}
        for num, iss in enumerate(self.issues, 1):
            iss["number"] = num
            by_topic.setdefault(iss["_topic"], []).append(num)
        cid = 900001
        out = []
        for iss in self.issues:
            earlier = [n for n in by_topic[iss["_topic"]] if n < iss["number"]]
            others = [n for n in by_topic[iss["_topic"]] if n != iss["number"]]
            clist = []
            for c in iss["_comments"]:
                body = c["body"]
                if "\u00a7DUPE\u00a7" in body:
                    cand = earlier if "Closing as a duplicate" in body else others
                    if cand:
                        body = body.replace("\u00a7DUPE\u00a7", str(self.pick(cand)))
                    else:
                        body = c["_fb"] or "+1"
                        if "Closing" in body:
                            iss["_close_why"] = "not_planned"
                clist.append({"id": cid, "user": c["user"], "body": body, "created_at": iso(c["created_at"])})
                cid += 1
            labels = list(iss["_labels"])
            if iss["_closed"] and iss.get("_close_why") == "duplicate":
                labels.append("duplicate")
            n = iss["number"]
            out.append({
                "number": n, "title": iss["title"], "body": iss["body"],
                "state": "closed" if iss["_closed"] else "open",
                "user": iss["user"], "labels": [{"name": l} for l in labels],
                "created_at": iso(iss["_when"]), "updated_at": iso(iss["_updated"]),
                "html_url": "%s/issues/%d" % (REPO_URL, n),
                "reactions": iss["_reactions"], "comments_list": clist,
            })
            self.add_item(iss["_topic"], "github:%d" % n)
        self.by_topic_issues = {k: [(self.issues[n - 1]["_when"], n) for n in v] for k, v in by_topic.items()}
        return out

    # -- Reddit ---------------------------------------------------------------

    def reddit_id(self):
        alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
        while True:
            rid = "1" + "".join(self.pick(alphabet) for _ in range(5))
            if rid not in self.used_reddit_ids:
                self.used_reddit_ids[rid] = True
                return rid

    def subreddit(self, topic):
        if topic["seg"] == ["platform"]:
            return self.r.choices(["meshvpn", "kubernetes", "devops"], weights=[6, 2, 2])[0]
        return self.r.choices(["meshvpn", "selfhosted", "homelab", "sysadmin"], weights=[14, 3, 2, 1])[0]

    def flair(self, topic, sub):
        if sub != "meshvpn" or self.chance(0.2):
            return None
        return {"feature": self.pick(["Feature Request", "Feature Request", "Discussion"]),
                "security": self.pick(["Feature Request", "Discussion", "Question"]),
                "reliability": self.pick(["Help", "Bug", "Question"]),
                "performance": self.pick(["Bug", "Discussion", "Help"])}[topic["cat"]]

    def reddit_title(self, topic):
        title, reused = self.nxt(topic, "titles")
        v = self.r.randrange(6)
        if v == 0:
            title = title.lower()
        elif v == 1 and not title.endswith("?"):
            title = title + "?"
        elif v == 2:
            title = title + self.pick([" (anyone else?)", " - am I the only one?", " pls", " - any workaround?"])
        if reused:
            title = self.pick(["Anyone else want this? ", "Wishlist: ", "Devs, please: ", "Would love: ", "Request: "]) + title[0].lower() + title[1:]
        return self.typo(title, 0.1)

    def reddit_body(self, topic):
        r = self.r.random()
        if r < 0.1:
            return ""
        prob, _ = self.nxt(topic, "problems")
        prob = self.typo(self.casual(prob))
        if r < 0.35:
            return prob
        ask, _ = self.nxt(topic, "asks")
        paras = [p for p in [self.pick(REDDIT_OPENERS), prob, self.pick(ASK_INTROS) + " " + self.typo(ask, 0.06),
                             self.pick(REDDIT_CLOSERS)] if p]
        if self.chance(0.15):
            paras.insert(2, "Context: " + self.ctx(topic))
        return "\n\n".join(paras)

    def build_reddit(self):
        for topic in TOPICS:
            n = topic["n"][1]
            bespoke = list(topic["reddit"])
            for i in range(n):
                when = self.topic_dt(topic)
                sub = self.subreddit(topic)
                post = {"_topic": topic["id"], "_when": when}
                if bespoke:
                    b = bespoke.pop(0)
                    post.update(title=b["title"], selftext=b["selftext"], ups=b["ups"], flair=b["flair"], sub="meshvpn",
                                author=b.get("author") or self.pick(REDDIT_USERS))
                else:
                    ups = int(min(640, topic["heat"] * (self.r.paretovariate(1.2)) * 4)) + self.r.randrange(0, 4)
                    post.update(title=self.reddit_title(topic), selftext=self.reddit_body(topic), ups=ups,
                                flair=self.flair(topic, sub), sub=sub, author=self.pick(REDDIT_USERS))
                    if topic["id"] == "openbsd-support":
                        post["_when"] = self.dt_between(dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc), END)
                        post.update(author=LOUD_USER, sub="openbsd", flair=None,
                                    title="Mesh on OpenBSD: please go +1 the GitHub issue",
                                    selftext="I've been asking for proper OpenBSD support (kernel wg, routes, pf) for most of the year. "
                                             "If you run OpenBSD on your edge and want to use it as a subnet router, please comment on the issue, "
                                             "they clearly weigh votes.\n\nhttps://github.com/meshco/mesh/issues/\u00a7GH\u00a7")
                    elif self.chance(0.18):
                        post["selftext"] = (post["selftext"] + "\n\nEDIT: found the GitHub issue, go thumbs-up it: %s/issues/\u00a7GH\u00a7" % REPO_URL).strip()
                    if self.chance(0.02):
                        post["author"] = "[deleted]"
                self.posts.append(post)
        for nz in NOISE:
            if nz["ch"] != "reddit":
                continue
            self.posts.append({"_topic": nz["id"], "_when": self.dt_between(START, END), "title": nz["title"],
                               "selftext": nz["body"], "ups": self.r.randrange(0, 40), "flair": nz["flair"],
                               "sub": nz["sub"], "author": self.pick(REDDIT_USERS)})

    def finish_reddit(self):
        self.posts.sort(key=lambda p: p["_when"])
        out = []
        for p in self.posts:
            rid = self.reddit_id()
            text = p["selftext"]
            if "\u00a7GH\u00a7" in text:
                cand = [n for (w, n) in self.by_topic_issues.get(p["_topic"], []) if w < p["_when"]]
                if cand:
                    text = text.replace("\u00a7GH\u00a7", str(self.pick(cand)))
                else:
                    text = re.sub(r"\n*[^\n]*\u00a7GH\u00a7", "", text)
            slug = re.sub(r"[^a-z0-9]+", "_", p["title"].lower()).strip("_")[:50].rstrip("_")
            out.append({"id": rid, "name": "t3_" + rid, "subreddit": p["sub"], "title": p["title"], "selftext": text,
                        "author": p["author"], "ups": p["ups"], "created_utc": int(p["_when"].timestamp()),
                        "permalink": "/r/%s/comments/%s/%s/" % (p["sub"], rid, slug),
                        "link_flair_text": p["flair"]})
            self.add_item(p["_topic"], "reddit:" + rid)
        return out

    # -- Sales ----------------------------------------------------------------

    def pick_account(self, topic, used):
        weights = []
        for name, arr, lean, _team in ACCOUNTS:
            if topic["quiet"]:
                w = (arr / 100000.0) if arr >= 300000 else 0.05
            else:
                w = 1.0
            tseg = "platform" if topic["seg"] == ["platform"] else ("vpn" if topic["seg"] == ["vpn"] else "hybrid")
            if lean == tseg:
                w *= 3
            elif lean == "hybrid" or tseg == "hybrid":
                w *= 1.5
            else:
                w *= 0.3
            if name in used:
                w *= 0.3
            w /= 1.0 + 0.6 * self.account_use.get(name, 0)
            weights.append(w)
        return self.r.choices(ACCOUNTS, weights=weights)[0]

    def sales_text(self, topic, account, phrase, reused):
        name, arr, lean, team = account
        who = self.pick(["their CISO", "the IT director", "2 net engs + their security lead", "the VP Eng",
                         "their head of platform", "IT ops", "the CTO"])
        lead = self.pick(SALES_LEADS).format(team=("platform" if lean == "platform" else self.pick(["IT", "security", "infra", "platform"])),
                                             who=who, role=self.pick(["IT manager", "staff SRE", "security architect", "head of IT"]))
        if reused:
            phrase = self.pick(["again: ", "re-raised: ", ""]) + phrase
        why = self.pick(SALES_WHY).format(q=self.pick(["Q2", "Q3", "Q4", "Q1 '27"]), comp=self.pick(COMPETITORS),
                                          seats=self.pick([50, 120, 400, 900, 2500]),
                                          amt=self.pick(["$40k", "$120k", "$300k", "$600k"]))
        nxt = self.pick(SALES_NEXT)
        sec = None
        if self.chance(0.2):
            cands = [t for t in TOPICS if t["id"] != topic["id"] and t["n"][2] > 0 and t["n"] != (0, 0, 1, 0)]
            sec = self.pick(cands)
        if self.chance(0.35):
            lines = [lead, "- " + phrase, "- " + why]
            if sec:
                lines.append("- also asked about %s" % sec["short"])
            if nxt:
                lines.append("- next: " + nxt[0].lower() + nxt[1:])
            return "\n".join(lines), sec
        s = "%s %s. %s" % (lead, phrase[0].upper() + phrase[1:] if self.chance(0.5) else phrase, why)
        if sec:
            s += " Also asked about %s." % sec["short"]
        if nxt:
            s += " " + nxt
        return s, sec

    def build_sales(self):
        for topic in TOPICS:
            used = []
            for _ in range(topic["n"][2]):
                acct = self.pick_account(topic, used)
                used.append(acct[0])
                self.account_use[acct[0]] = self.account_use.get(acct[0], 0) + 1
                phrase, reused = self.nxt(topic, "sales")
                note, sec = self.sales_text(topic, acct, phrase, reused)
                self.notes.append({"_topic": topic["id"], "_sec": sec["id"] if sec else None, "_when": self.topic_dt(topic),
                                   "account": acct[0], "arr": acct[1], "contact": self.pick(acct[3]), "note": note})
        for nz in NOISE:
            if nz["ch"] != "sales":
                continue
            acct = self.pick(ACCOUNTS)
            self.notes.append({"_topic": nz["id"], "_sec": None, "_when": self.dt_between(START, END),
                               "account": acct[0], "arr": acct[1], "contact": self.pick(acct[3]), "note": nz["note"]})

    def finish_sales(self):
        self.notes.sort(key=lambda n: n["_when"])
        out = []
        for i, n in enumerate(self.notes, 1):
            xid = "crm-%05d" % i
            out.append({"external_id": xid, "account": n["account"], "arr": n["arr"], "contact": n["contact"],
                        "note": n["note"], "date": n["_when"].strftime("%Y-%m-%d")})
            self.add_item(n["_topic"], "sales:" + xid)
            if n["_sec"]:
                self.secondary[n["_sec"]].append("sales:" + xid)
        return out

    # -- Employees --------------------------------------------------------------

    def employee_for(self, topic):
        key = topic["cat"]
        if key == "feature":
            key = "feature-platform" if "platform" in topic["seg"] else "feature-vpn"
        teams = TEAMS_FOR[key]
        cands = [e for e in EMPLOYEES if e[1] in teams]
        return self.pick(cands)

    def build_employees(self):
        for topic in TOPICS:
            for j in range(topic["n"][3]):
                title, body = topic["emp"][j]
                name, team = self.employee_for(topic)
                if self.chance(0.3):
                    body += "\n\n" + self.pick(["Related tickets: ZD-%d, ZD-%d" % (self.r.randrange(40000, 49999), self.r.randrange(40000, 49999)),
                                                "Happy to help scope this.", "cc @%s" % self.pick(EMPLOYEES)[0].split()[0].lower(),
                                                "Slack thread: https://meshco.slack.example/archives/C04PRODIDEAS/p17%08d" % self.r.randrange(10 ** 7, 10 ** 8)])
                self.ideas.append({"_topic": topic["id"], "_when": self.topic_dt(topic), "title": title, "body": body,
                                   "author": name, "team": team})
        for nz in NOISE:
            if nz["ch"] != "employee":
                continue
            e = self.pick([x for x in EMPLOYEES if x[1] == nz["team"]])
            self.ideas.append({"_topic": nz["id"], "_when": self.dt_between(START, END), "title": nz["title"],
                               "body": nz["body"], "author": e[0], "team": e[1]})

    def finish_employees(self):
        self.ideas.sort(key=lambda n: n["_when"])
        out = []
        for i, n in enumerate(self.ideas, 1):
            xid = "emp-%04d" % i
            email = re.sub(r"[^a-z.-]", "", n["author"].lower().replace(" ", ".")) + "@meshco.example"
            out.append({"external_id": xid, "title": n["title"], "body": n["body"], "author": n["author"], "email": email,
                        "team": n["team"], "created_at": iso(n["_when"].replace(minute=(n["_when"].minute // 5) * 5, second=0))})
            self.add_item(n["_topic"], "employee:" + xid)
        return out

    # -- output -----------------------------------------------------------------

    def add_item(self, topic_id, ref):
        self.items.setdefault(topic_id, []).append(ref)

    def run(self):
        self.build_github()
        self.build_reddit()
        self.build_sales()
        self.build_employees()
        demo = {
            "github_issues": self.finish_github(),
            "reddit_posts": self.finish_reddit(),
            "sales_notes": self.finish_sales(),
            "employee_ideas": self.finish_employees(),
        }
        topics = []
        for t in TOPICS:
            topics.append({"id": t["id"], "label": t["short"], "category": t["cat"], "segments": t["seg"],
                           "runtime": t["rt"], "items": self.items[t["id"]],
                           "secondary_items": self.secondary[t["id"]]})
        for nz in NOISE:
            topics.append({"id": nz["id"], "label": "off-topic", "category": "noise", "segments": [],
                           "runtime": "none", "items": self.items[nz["id"]], "secondary_items": []})
        return demo, {"topics": topics}


def iso(when):
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_json(path, obj):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.write("\n")


def check(d, tp, ncomments):
    """Sanity checks on shape, ranges and cross references."""
    gi, rp, sn, ei = d["github_issues"], d["reddit_posts"], d["sales_notes"], d["employee_ideas"]
    assert 250 <= len(gi) <= 350 and 400 <= ncomments <= 700, (len(gi), ncomments)
    assert 60 <= len(rp) <= 100 and 80 <= len(sn) <= 120 and 30 <= len(ei) <= 50
    assert 25 <= len({n["account"] for n in sn}) <= 35
    lo, hi = "2026-01-01", "2026-11-30T23:59:59Z"
    for i in gi:
        assert lo <= i["created_at"] <= i["updated_at"] <= hi
        assert len(i["comments_list"]) <= 20
        for c in i["comments_list"]:
            assert i["created_at"] <= c["created_at"] <= i["updated_at"], (i["number"], c["id"])
    assert [i["number"] for i in gi] == list(range(1, len(gi) + 1))
    for p in rp:
        assert p["name"] == "t3_" + p["id"] and p["permalink"].startswith("/r/%s/comments/%s/" % (p["subreddit"], p["id"]))
        assert int(START.timestamp()) <= p["created_utc"] <= int(END.timestamp())
    for n in sn:
        assert 5000 <= n["arr"] <= 2000000 and lo <= n["date"] <= hi
    for e in ei:
        assert e["email"].endswith("@meshco.example") and lo <= e["created_at"] <= hi
    refs = ["github:%d" % i["number"] for i in gi] + ["reddit:" + p["id"] for p in rp] + \
           ["sales:" + n["external_id"] for n in sn] + ["employee:" + e["external_id"] for e in ei]
    mapped = [x for t in tp["topics"] for x in t["items"]]
    assert sorted(mapped) == sorted(refs), "every item belongs to exactly one topic"
    known = set(refs)
    assert all(x in known for t in tp["topics"] for x in t["secondary_items"])
    assert len({t["id"] for t in tp["topics"]}) == len(tp["topics"])


def main():
    demo, topics = Gen(SEED).run()
    write_json(os.path.join(OUT_DIR, "demo.json"), demo)
    write_json(os.path.join(OUT_DIR, "topics.json"), topics)
    # validate by re-reading
    with open(os.path.join(OUT_DIR, "demo.json"), encoding="utf-8") as f:
        d = json.load(f)
    with open(os.path.join(OUT_DIR, "topics.json"), encoding="utf-8") as f:
        tp = json.load(f)
    ncomments = sum(len(i["comments_list"]) for i in d["github_issues"])
    check(d, tp, ncomments)
    real = [t for t in tp["topics"] if t["category"] != "noise"]
    print("github_issues=%d comments=%d reddit_posts=%d sales_notes=%d (accounts=%d) employee_ideas=%d"
          % (len(d["github_issues"]), ncomments, len(d["reddit_posts"]), len(d["sales_notes"]),
             len({n["account"] for n in d["sales_notes"]}), len(d["employee_ideas"])))
    print("topics=%d (+%d noise), single-voice topics=%d" % (len(real), len(tp["topics"]) - len(real),
                                                           sum(1 for t in real if len(t["items"]) == 1)))


if __name__ == "__main__":
    main()
