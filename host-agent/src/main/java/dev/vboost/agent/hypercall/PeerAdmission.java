package dev.vboost.agent.hypercall;

import dev.vboost.agent.log.RateLimitedLog;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Who may talk to the hypercall socket (threat model §9): a peer whose credentials ({@code SO_PEERCRED}) are
 * not an allowed user or group is closed at once, before anything it sends is read. With no user and no group
 * given, this process's own user and root are allowed.
 */
final class PeerAdmission {
    private static final System.Logger LOG = System.getLogger(HypercallSocketServer.class.getName());

    private final Set<UserPrincipal> users;
    private final Set<GroupPrincipal> groups;
    private final AtomicLong refused = new AtomicLong();
    private final RateLimitedLog refusedLog = new RateLimitedLog(LOG, System.Logger.Level.WARNING,
            "hypercall socket: peer refused");

    private PeerAdmission(Set<UserPrincipal> users, Set<GroupPrincipal> groups) {
        this.users = users;
        this.groups = groups;
    }

    /** The admission {@code options} ask for. */
    static PeerAdmission of(HypercallSocketServer.Options options) throws IOException {
        Set<UserPrincipal> users = new HashSet<>(options.allowedUsers());
        if (users.isEmpty() && options.allowedGroups().isEmpty()) {
            users.add(Files.getOwner(Paths.get("/proc/self")));
            users.add(FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("0"));
        }
        return new PeerAdmission(Set.copyOf(users), Set.copyOf(options.allowedGroups()));
    }

    /** The user of {@code ch}'s peer if it may be served; otherwise counts it, closes {@code ch} and gives null. */
    @Nullable UserPrincipal admit(SocketChannel ch) throws IOException {
        UnixDomainPrincipal peer;
        try {
            peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
        } catch (IOException | UnsupportedOperationException e) {
            refused.incrementAndGet(); // counted before the close a peer can observe
            ch.close();
            refusedLog.error("peer credentials unavailable: " + e, null);
            return null;
        }
        if (!users.contains(peer.user()) && !groups.contains(peer.group())) {
            refused.incrementAndGet(); // counted before the close a peer can observe
            ch.close(); // before anything it sends is read
            refusedLog.error("user " + peer.user().getName() + " group " + peer.group().getName()
                    + " is not allowed", null);
            return null;
        }
        return peer.user();
    }

    /** Peers refused since start. */
    long refused() {
        return refused.get();
    }
}
