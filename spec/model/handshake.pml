/*
 * vboost v1 handshake: a SPIN model of one slot of a boost region.
 *
 * Processes: Guest (the vCPU that owns the slot; or HostileGuest with -DHOSTILE), Host (the agent thread:
 * polls, acts, boosts on its own, expires, may crash and restart), Timer (the host's boost timer, which
 * runs independently of the guest).
 *
 * Memory is modelled field by field: every store and every load of a shared field is its own step, so a
 * torn seqlock read is representable. Interleavings are sequentially consistent (see README.md).
 *
 * Switches (spin -D...): HOSTILE replaces the guest with one that writes anything anywhere in its own
 * lines. The MUTANT_* switches break one rule each; check.sh requires every mutant to FAIL.
 *   MUTANT_NO_RECHECK   reader skips R5 (the second counter read)            -> torn snapshot accepted
 *   MUTANT_NO_ODD_CHECK reader skips R2 (copies while the counter is odd)     -> torn snapshot accepted
 *   MUTANT_NO_EXPIRY    host never ends a boost on its own timer              -> a boost never ends
 *   MUTANT_NO_CLAMP     host applies the guest's priority unclamped           -> priority above the ceiling
 *   MUTANT_NO_GEN_CHECK host acts without checking the guest's generation     -> acts on a stale request
 *   MUTANT_NO_CLEAR     guest re-attaches without first clearing its slot     -> acts on a stale request
 */

/* ---- bounds (small so that the check takes seconds) ---- */
#define SEQ_MOD      256   /* counters are u32 in the spec; any even modulus keeps parity and equality  */
#define SEQ_START    252   /* start near the top so that every counter wraps during the run              */
#ifndef MAX_READ
#define MAX_READ 2     /* reader attempts before BUSY (64 in the spec; 2 already shows both paths)   */
#endif
#define CEIL         2     /* host priority ceiling                                                      */
#define PRIO_MAX     3     /* highest priority a guest may ask for in the model: above the ceiling        */
#ifndef MAX_REQ
#define MAX_REQ 2     /* request ids the guest may use (ids are never reused, across generations)  */
#endif
#ifndef MAX_HB
#define MAX_HB 1     /* host-initiated boosts per generation                                       */
#endif
#ifndef MAX_RESTARTS
#define MAX_RESTARTS 1     /* host crashes/restarts                                                      */
#endif
#ifndef MAX_ATTACH
#define MAX_ATTACH 2     /* guest attaches (first attach, re-attach after restart or detach)            */
#endif
#ifndef HOSTILE_WRITES
#define HOSTILE_WRITES 4 /* raw field writes of the hostile guest (bounded so the state space is finite) */
#endif

/* ---- wire codes (spec §3.6) ---- */
#define NOT_READY 0
#define READY     1
#define DETACHED  0
#define ATTACHED  1
#define R_NONE    0
#define R_BOOST   1
#define R_UNBOOST 2
#define S_NORMAL  1
#define S_BOOSTED 2
#define K_NONE    0
#define K_GUEST   1   /* boost asked for by the guest */
#define K_HOST    2   /* host-initiated boost (spec §5.5) */

#ifdef MUTANT_NO_EXPIRY
#define EXPIRED   false
#else
#define EXPIRED   (boosted && deadline)
#endif
#define next(s)   (((s) + 1) % SEQ_MOD)
#define odd(s)    ((s) % 2 == 1)

/* ---- host header (spec §3.2, published per §4.4) ---- */
byte region_state = NOT_READY;
byte generation = 0;

/* ---- guest header (spec §3.3): guest is the seqlock writer ---- */
byte gh_seq = SEQ_START;
byte gh_attach = DETACHED;
byte gh_gen = 0;

/* ---- slot guest line (spec §3.4): guest is the seqlock writer ---- */
byte gl_seq = SEQ_START;
byte gl_req = R_NONE;
byte gl_prio = 0;
byte gl_id = 0;
byte gl_ack = 0;
byte gl_tag = 0;      /* GHOST: generation the guest was attached to when it wrote the line */
byte gl_hver = 0;     /* GHOST: how many guest-header writes preceded this line write */
byte gh_ver = 0;      /* GHOST: guest-header writes so far */

/* ---- slot host line (spec §3.5): host is the seqlock writer ---- */
byte hl_seq = SEQ_START;
byte hl_status = S_NORMAL;
byte hl_prio = 0;
byte hl_acted = 0;
byte hl_hbid = 0;

/* ---- the vCPU thread as the actuator leaves it ---- */
bool boosted = false;
byte applied_prio = 0;
byte boost_kind = K_NONE;
bool deadline = false;    /* the host timer of the current boost has fired */

/* ---- crash injection and ghosts ---- */
bool crash = false;
byte restarts = 0;
byte newest_id = 0;        /* GHOST: highest request id ever published in the guest line */
byte pub_acted = 0;        /* GHOST: acted_request_id last published by the host, this generation */

/* Every boost ends: whenever the thread is boosted, it is later not boosted (checked with -a -f). */
ltl boost_ends { [] (boosted -> <> !boosted) }

/* ------------------------------------------------------------------------------------------------------
 * Seqlock reader (spec §4.3 R1..R5, bounded). Copies one field per step. The R1 step also records, as
 * ghosts, the values published at that counter; an accepted copy must equal them (no torn snapshot).
 * ------------------------------------------------------------------------------------------------------ */
#ifdef MUTANT_NO_ODD_CHECK
#define R2_ODD(s) false
#else
#define R2_ODD(s) odd(s)
#endif
#ifdef MUTANT_NO_RECHECK
#define R5_SAME(a, b) true
#else
#define R5_SAME(a, b) ((a) == (b))
#endif

/* host reads the guest header. Abstracted to one step: it uses the same seqlock reader as the slot lines,
 * whose torn reads this model does represent; modelling it field by field too only multiplies states. */
inline read_guest_header() {
    d_step { ok = !odd(gh_seq); c1 = gh_attach; c2 = gh_gen; seen_gh = gh_seq; hv = gh_ver }
}

/* the host's change tracking (spec §5.2, §5.10; HostEndpoint.pollChangedSlots): compares the slot's guest
 * counter with the value it saw last and consumes the change, whether or not the line is then read */
inline poll_slot() {
    d_step { changed = (gl_seq != seen_gl); seen_gl = gl_seq; polled_hver = gl_hver }
}

/* host reads the slot's guest line */
inline read_guest_line() {
    do
    :: tries == MAX_READ -> break
    :: else ->
        atomic { tries++; s1 = gl_seq; e1 = gl_req; e2 = gl_prio; e3 = gl_id; e4 = gl_ack; e5 = gl_tag };
        if
        :: R2_ODD(s1) -> skip
        :: else ->
            atomic { c1 = gl_req; c2 = gl_prio };      /* R3: request word */
            atomic { c3 = gl_id; c5 = gl_tag };        /*     request id (and its ghost tag) */
            c4 = gl_ack;                               /*     host boost ack */
            s2 = gl_seq;
            if
            :: R5_SAME(s1, s2) -> ok = true; seen_gl = s1; break
            :: else -> skip
            fi
        fi
    od;
#ifndef HOSTILE
    /* never torn (a hostile guest ignores the seqlock, so there the host only validates) */
    assert(!ok || (c1 == e1 && c2 == e2 && c3 == e3 && c4 == e4 && c5 == e5));
#else
    skip;
#endif
    d_step { s1 = 0; s2 = 0; e1 = 0; e2 = 0; e3 = 0; e4 = 0; e5 = 0; tries = 0 }
}

/* guest reads the slot's host line */
inline read_host_line() {
    do
    :: tries == MAX_READ -> break
    :: else ->
        atomic { tries++; s1 = hl_seq; e1 = hl_status; e2 = hl_prio; e3 = hl_acted; e4 = hl_hbid };
        if
        :: R2_ODD(s1) -> skip
        :: else ->
            atomic { c1 = hl_status; c2 = hl_prio };   /* R3: status word */
            c3 = hl_acted;
            c4 = hl_hbid;
            s2 = hl_seq;
            if
            :: R5_SAME(s1, s2) -> ok = true; break
            :: else -> skip
            fi
        fi
    od;
    assert(!ok || (c1 == e1 && c2 == e2 && c3 == e3 && c4 == e4));   /* guest never accepts a torn snapshot */
    d_step { s1 = 0; s2 = 0; e1 = 0; e2 = 0; e3 = 0; e4 = 0; tries = 0 }
}

/* ------------------------------------------------------------------------------------------------------
 * Host: seqlock writer of its slot line (spec §4.2 W1..W4), one field per step.
 * ------------------------------------------------------------------------------------------------------ */
inline publish(st, pr, acted, hbid) {
    atomic {
        assert(acted >= pub_acted);                 /* acted_request_id never goes backwards in a generation */
        assert(acted <= newest_id);                 /* ... and never exceeds the newest request id */
        hl_seq = next(hl_seq)                       /* W1: odd */
    };
    atomic { hl_status = st; hl_prio = pr };        /* W2: status word */
    hl_acted = acted;
    hl_hbid = hbid;
    atomic { hl_seq = next(hl_seq); pub_acted = acted }   /* W4: even, release */
}

/* the actuator: real priority changes on the vCPU thread */
inline apply_boost(prio, kind) {
    assert(prio >= 1 && prio <= CEIL);              /* never above the ceiling */
    atomic {
        if
        :: !boosted -> deadline = false             /* the bound runs from the start of the boost */
        :: else -> skip                             /* a repeated request never extends it */
        fi;
        boosted = true; applied_prio = prio; boost_kind = kind
    }
}

inline restore_thread() {
    atomic { boosted = false; applied_prio = 0; boost_kind = K_NONE; deadline = false }
}

/* H1..H4 (spec §4.4) plus a fresh host line for the new generation (spec §5.9) */
inline init_region() {
    region_state = NOT_READY;                       /* H1 */
    if                                              /* restore what the lease journal says (spec §5.9) */
    :: boosted -> restore_thread()
    :: else -> skip
    fi;
    if                                              /* a crash may have left the line odd: finish that write */
    :: odd(hl_seq) -> skip
    :: else -> hl_seq = next(hl_seq)
    fi;
    atomic { hl_status = S_NORMAL; hl_prio = 0 };
    hl_acted = 0;
    hl_hbid = 0;
    atomic { hl_seq = next(hl_seq); pub_acted = 0 };
    acted = 0; hbid = 0; hb_count = 0;
    generation = generation + 1;                    /* H2..H3: fields and generation + 1 */
    region_state = READY                            /* H4: release */
}

proctype Host() {
    bool ok; byte tries; byte s1; byte s2;
    byte c1; byte c2; byte c3; byte c4; byte c5;
    byte e1; byte e2; byte e3; byte e4; byte e5;
    byte acted = 0;       /* host's own copy of acted_request_id */
    byte hbid = 0;        /* host's own copy of host_boost_id */
    byte hb_count = 0;
    bool attached_now;
    byte seen_gl = SEQ_START;   /* guest-line counter as the last poll saw it */
    byte seen_gh = SEQ_START;   /* guest-header counter at the last read */
    bool changed;               /* the last poll found the guest counter moved */
    bool busy;                  /* the last read of the line was not consistent: read it again */
    byte hv;                    /* GHOST: guest-header writes before the header copy acted on */
    byte polled_hver;           /* GHOST: guest-header writes before the line write the poll consumed */

restart:
    init_region();
    {
end_loop:
        do
#ifndef MUTANT_NO_EXPIRY
        :: EXPIRED ->
            /* expiry goes first: the host timer ends any boost (spec §5.6) */
            restore_thread();
            publish(S_NORMAL, 0, acted, hbid)
#endif
        :: !EXPIRED && (gl_seq != seen_gl || gh_seq != seen_gh || busy) ->
                /* a guest counter moved (spec §5.2). The slot's change is consumed BEFORE the guest header is
                 * read: a guest writes its header before its lines, so a consumed change the header read does
                 * not cover is older than that header (issue 16 row 14; the header-first mutant loses it) */
#ifndef MUTANT_HEADER_FIRST
                poll_slot();
#endif
                read_guest_header();
                d_step {
#ifdef MUTANT_NO_GEN_CHECK
                    attached_now = ok && c1 == ATTACHED;
#else
                    attached_now = ok && c1 == ATTACHED && c2 == generation;
#endif
                    c1 = 0; c2 = 0; ok = false
                };
#ifdef MUTANT_HEADER_FIRST
                poll_slot();
#endif
                if
                :: !attached_now && changed ->
#ifndef HOSTILE
                    /* a change dropped unread was written before the header state acted on */
                    assert(polled_hver <= hv);
#endif
                    busy = false
                :: else -> skip
                fi;
                if
                :: attached_now && (changed || busy) ->
                    read_guest_line();
                    busy = !ok;
                    if
                    :: ok && c3 > acted && c1 <= R_UNBOOST && c2 <= PRIO_MAX ->
                        atomic {
#ifndef HOSTILE
                            assert(c5 == generation);   /* never acts on a request from a stale generation */
#endif
                            acted = c3
                        };
                        if
                        :: c1 == R_BOOST && c2 >= 1 ->
#ifdef MUTANT_NO_CLAMP
                            apply_boost(c2, K_GUEST);
#else
                            apply_boost((c2 > CEIL -> CEIL : c2), K_GUEST);
#endif
                            publish(S_BOOSTED, applied_prio, acted, hbid)
                        :: c1 == R_UNBOOST && boosted ->
                            restore_thread();
                            publish(S_NORMAL, 0, acted, hbid)
                        :: else ->                 /* NONE, an invalid BOOST, or nothing to undo */
                            publish(hl_status, hl_prio, acted, hbid)
                        fi
                    :: ok && c4 != 0 && c4 == hbid && boosted && boost_kind == K_HOST ->
#ifndef HOSTILE
                        assert(c5 == generation);   /* never takes an ack from a stale generation */
#endif
                        restore_thread();           /* the guest acknowledged the host boost (spec §5.5) */
                        publish(S_NORMAL, 0, acted, hbid)
                    :: else -> skip
                    fi
                :: else ->
                    if                              /* not attached to this generation: no boost stays */
                    :: boosted && boost_kind == K_GUEST ->
                        restore_thread();
                        publish(S_NORMAL, 0, acted, hbid)
                    :: else -> skip
                    fi
                fi;
                d_step { ok = false; attached_now = false; changed = false; hv = 0; polled_hver = 0;
                         c1 = 0; c2 = 0; c3 = 0; c4 = 0; c5 = 0 }
        :: !EXPIRED && !boosted && hb_count < MAX_HB ->
                /* host-initiated boost, e.g. an interrupt injected (spec §5.5) */
                atomic { hb_count++; hbid++ };
                apply_boost(CEIL, K_HOST);
                publish(S_BOOSTED, CEIL, acted, hbid)
        od
    } unless { crash };

    /* the agent died at an arbitrary step; a new one starts over the same region */
    /* a new agent remembers no counters: an odd value never matches a settled counter, so it polls first */
    atomic { crash = false; ok = false; tries = 0; s1 = 0; s2 = 0; attached_now = false;
             seen_gl = 1; seen_gh = 1; changed = false; busy = false; hv = 0; polled_hver = 0;
             c1 = 0; c2 = 0; c3 = 0; c4 = 0; c5 = 0; e1 = 0; e2 = 0; e3 = 0; e4 = 0; e5 = 0 };
    goto restart
}

proctype Crasher() {
end_crash:
    do
    :: restarts < MAX_RESTARTS && region_state == READY -> atomic { restarts++; crash = true }
    od
}

/* the host's boost timer: nothing the guest does can stop it */
proctype Timer() {
end_timer:
    do
    :: atomic { boosted && !deadline -> deadline = true }
    od
}

/* ------------------------------------------------------------------------------------------------------
 * Guest: seqlock writer of the guest header and of its slot line.
 * ------------------------------------------------------------------------------------------------------ */
inline write_guest_line(req, prio, id, ack, tag) {
    gl_seq = next(gl_seq);                          /* W1 */
    atomic { gl_req = req; gl_prio = prio };        /* W2: request word */
    atomic { gl_id = id; gl_tag = tag; gl_hver = gh_ver; newest_id = (id > newest_id -> id : newest_id) };
    gl_ack = ack;
    gl_seq = next(gl_seq)                           /* W4 */
}

inline write_guest_header(st, gen) {                /* one step, see read_guest_header */
    d_step { gh_attach = st; gh_gen = gen; gh_seq = next(next(gh_seq)); gh_ver = (gh_ver < 255 -> gh_ver + 1 : 255) }
}

#ifndef HOSTILE
proctype Guest() {
    bool ok; byte tries; byte s1; byte s2;
    byte c1; byte c2; byte c3; byte c4;
    byte e1; byte e2; byte e3; byte e4;
    byte my_gen = 0;      /* 0: not attached */
    byte attaches = 0;
    byte next_id = 0;
    byte cur_req = R_NONE; byte cur_prio = 0; byte ack = 0;
    byte g; byte g2; byte st; byte p;

end_guest:
    do
    :: my_gen == 0 && attaches < MAX_ATTACH ->
        /* attach (spec §5.2): read the host header as in §4.4 */
        st = region_state;
        if
        :: st == READY ->
            g = generation;
            st = region_state; g2 = generation;
            if
            :: st == READY && g2 == g ->
                d_step { attaches++; ack = 0; cur_req = R_NONE; cur_prio = 0 };
#ifndef MUTANT_NO_CLEAR
                write_guest_line(R_NONE, 0, next_id, 0, g);   /* retract anything from before */
#endif
                write_guest_header(ATTACHED, g);
                my_gen = g
            :: else -> skip
            fi
        :: else -> skip
        fi;
        d_step { st = 0; g = 0; g2 = 0 }
    :: my_gen != 0 && next_id < MAX_REQ ->
        /* boost request (spec §5.3 G1..G3): any priority, even above the ceiling */
        atomic {
            if
            :: p = 1
            :: p = PRIO_MAX
            fi;
            next_id++; cur_req = R_BOOST; cur_prio = p
        };
        write_guest_line(R_BOOST, p, next_id, ack, my_gen);
        p = 0
    :: my_gen != 0 && next_id < MAX_REQ ->
        /* unboost (spec §5.4) */
        d_step { next_id++; cur_req = R_UNBOOST; cur_prio = 0 };
        write_guest_line(R_UNBOOST, 0, next_id, ack, my_gen)
    :: my_gen != 0 ->
        /* read the host line; acknowledge a new host boost (spec §5.5) */
        read_host_line();
        if
        :: ok && c4 > ack && c1 == S_BOOSTED ->
            ack = c4;
            write_guest_line(cur_req, cur_prio, next_id, ack, my_gen)
        :: else -> skip
        fi;
        d_step { ok = false; c1 = 0; c2 = 0; c3 = 0; c4 = 0 }
    :: my_gen != 0 ->
        /* notice a host restart (spec §5.9): re-attach to the new generation */
        if
        :: region_state != READY || generation != my_gen -> my_gen = 0
        :: else -> skip
        fi
    :: my_gen != 0 ->
        /* detach (spec §5.8) */
        write_guest_header(DETACHED, my_gen);
        my_gen = 0
    od
}
#else
/* A hostile guest: any value in any field of its own lines, counters left odd, ids backwards or jumping,
 * a header naming any generation. Bounded only so that the state space is finite. */
proctype HostileGuest() {
    byte writes = 0;
end_hostile:
    do
    :: writes < HOSTILE_WRITES ->
        writes++;
        if
        :: gl_seq = next(gl_seq)
        :: gh_seq = next(gh_seq)
        :: if :: gl_req = R_NONE :: gl_req = R_BOOST :: gl_req = R_UNBOOST :: gl_req = 7 fi
        :: if :: gl_prio = 0 :: gl_prio = 1 :: gl_prio = PRIO_MAX :: gl_prio = 200 fi
        :: if
           :: atomic { gl_id = 1; newest_id = (1 > newest_id -> 1 : newest_id) }
           :: atomic { gl_id = 3; newest_id = (3 > newest_id -> 3 : newest_id) }
           :: atomic { gl_id = 2; newest_id = (2 > newest_id -> 2 : newest_id) }
           fi
        :: if :: gl_ack = 0 :: gl_ack = 1 :: gl_ack = 9 fi
        :: if :: gh_attach = ATTACHED :: gh_attach = DETACHED :: gh_attach = 5 fi
        :: if :: gh_gen = generation :: gh_gen = 0 :: gh_gen = 7 fi
        fi
    od
}
#endif

init {
    atomic {
        run Host();
        run Timer();
        run Crasher();
#ifndef HOSTILE
        run Guest()
#else
        run HostileGuest()
#endif
    }
}
