package dev.valley.api.auth;

import java.util.Locale;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;

/** Each role may do what the ones before it may: read the jobs and artifacts, submit and cancel jobs, administer. */
public enum Role {
    READ, SUBMIT, ADMIN;

    /** ADMIN > SUBMIT > READ, for Spring Security's {@code hasRole}. */
    static RoleHierarchy hierarchy() {
        return RoleHierarchyImpl.withDefaultRolePrefix().role(ADMIN.name()).implies(SUBMIT.name())
                .role(SUBMIT.name()).implies(READ.name()).build();
    }

    static Role parse(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }

    String authority() {
        return "ROLE_" + name();
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
