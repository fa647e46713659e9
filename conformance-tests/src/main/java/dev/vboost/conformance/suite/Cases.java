package dev.vboost.conformance.suite;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Every test of the suite, in run order. */
public final class Cases {
    private Cases() {
    }

    public static List<Case> all() {
        List<Case> l = new ArrayList<>();
        l.addAll(dev.vboost.conformance.vectors.VectorCases.all());
        l.addAll(GuestCases.all());
        l.addAll(HostCases.all());
        l.addAll(HostPolicyCases.all());
        l.addAll(TraceCases.all());
        l.addAll(StressCases.all());
        Set<String> ids = new HashSet<>();
        for (Case c : l) {
            if (!ids.add(c.id())) {
                throw new IllegalStateException("duplicate test id " + c.id());
            }
        }
        return List.copyOf(l);
    }
}
