package dev.valley.api.auth;

import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * A bearer token: as presented (the token itself, not yet checked), or as authenticated (only the role it grants;
 * the token is not kept once it has been checked).
 */
final class BearerToken extends AbstractAuthenticationToken {
    private final String presented;
    private final Role role;

    private BearerToken(String presented, Role role) {
        super(role == null ? List.of() : List.of(new SimpleGrantedAuthority(role.authority())));
        this.presented = presented;
        this.role = role;
        setAuthenticated(role != null);
    }

    static BearerToken presented(String token) {
        return new BearerToken(token, null);
    }

    static BearerToken authenticated(Role role) {
        return new BearerToken(null, role);
    }

    Role role() {
        return role;
    }

    @Override
    public Object getCredentials() {
        return presented;
    }

    @Override
    public Object getPrincipal() {
        return role == null ? "unchecked bearer token" : "bearer token with the " + role.label() + " role";
    }
}
