package dev.vboost.conformance.testee;

import java.util.Set;

/** What an implementation says about itself in {@code hello} (testee protocol §4). */
public record TesteeInfo(String name, String version, String language, String spec, Set<String> roles,
        Set<String> features, String transport) {

    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    public boolean hasFeature(String feature) {
        return features.contains(feature);
    }
}
