package dev.vboost.tools.daemon;

import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.tools.log.LogLineFormatter;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** What a VM file asks to serve: its policy and the vCPUs that fit its region. */
final class VmPlan {
    private VmPlan() {
    }

    /** The vCPUs that have a slot; a vCPU beyond the region's slots is reported and left out. */
    static Map<Integer, Integer> fit(VmFile f, Map<Integer, Integer> vcpus, int slots) {
        Map<Integer, Integer> m = new TreeMap<>();
        for (Map.Entry<Integer, Integer> v : vcpus.entrySet()) {
            if (v.getKey() < slots) {
                m.put(v.getKey(), v.getValue());
            } else {
                LogLineFormatter.vmLogger(f.name()).log(Level.WARNING, "vCPU " + v.getKey() + " (thread " + v.getValue()
                        + ") has no slot: the region has " + slots + "; set 'slots' in " + f.file());
            }
        }
        return m;
    }

    /** The VM file's policy, or the built-in one; a bad policy file is reported under the key policy. */
    static PolicyConfig policy(VmFile f) throws VmFileException {
        Path p = f.policy();
        if (p == null) {
            return PolicyConfig.defaults();
        }
        try {
            return PolicyConfig.load(p);
        } catch (NoSuchFileException ex) {
            throw new VmFileException(f.file(), "policy", "file " + p + " does not exist");
        } catch (IOException ex) {
            throw new VmFileException(f.file(), "policy", "cannot read " + p + ": " + ex.getMessage());
        } catch (IllegalArgumentException ex) {
            throw new VmFileException(f.file(), "policy", p + ": " + ex.getMessage());
        }
    }
}
