package dev.vboost.tools.cli;

import dev.vboost.agent.hypercall.HypercallSocketServer;
import dev.vboost.impl.memory.FileAccess;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.checkerframework.checker.nullness.qual.Nullable;
import picocli.CommandLine;

/**
 * Who may use the hypercall socket (issue 16 row 9): the peers allowed by {@code SO_PEERCRED}
 * ({@code --socket-allow-user}, {@code --socket-allow-group}) and the socket file's group and mode
 * ({@code --socket-mode}). A name that does not exist or a bad mode is a usage error.
 */
final class SocketPeers {
    private SocketPeers() {
    }

    static HypercallSocketServer.Options options(CommandLine.Model.CommandSpec spec, List<String> users,
            List<String> groups, @Nullable String mode) {
        UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
        Set<UserPrincipal> u = new LinkedHashSet<>();
        Set<GroupPrincipal> g = new LinkedHashSet<>();
        String text = mode != null ? mode : groups.isEmpty() ? "0600" : "0660";
        FileAccess access;
        String asked = "";
        try {
            for (String name : users) {
                asked = name;
                u.add(lookup.lookupPrincipalByName(name));
            }
            for (String name : groups) {
                asked = name;
                g.add(lookup.lookupPrincipalByGroupName(name));
            }
            access = FileAccess.parse(text, null, groups.isEmpty() ? null : groups.get(0));
        } catch (UserPrincipalNotFoundException e) {
            // some JDKs (25) leave the exception's name empty: name what was asked for instead
            String given = e.getName();
            String name = given != null && !given.isEmpty() ? given : asked;
            throw Usage.error(spec, "--socket-allow-user/--socket-allow-group: no such user or group: " + name);
        } catch (IllegalArgumentException | IOException e) {
            throw Usage.error(spec, "--socket-mode/--socket-allow-group: " + e.getMessage());
        }
        if ((access.mode() & ~0660) != 0 || (access.mode() & 0600) != 0600) {
            throw Usage.error(spec, "--socket-mode " + text + ": the socket needs owner read/write and nothing for "
                    + "others (0600 or 0660)");
        }
        return HypercallSocketServer.Options.defaults().withAllowedUsers(u).withAllowedGroups(g)
                .withSocketAccess(access);
    }
}
