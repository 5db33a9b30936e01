package dev.valley.api.auth;

import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * A bearer token: as presented (the token itself, not yet checked), or as authenticated (only the role it grants
 * and its caller; the token is not kept once it has been checked).
 */
final class BearerToken extends AbstractAuthenticationToken {
    private final String presented;
    private final Role role;
    private final Caller caller;

    private BearerToken(String presented, Role role, Caller caller) {
        super(role == null ? List.of() : List.of(new SimpleGrantedAuthority(role.authority())));
        this.presented = presented;
        this.role = role;
        this.caller = caller;
        setAuthenticated(role != null);
    }

    static BearerToken presented(String token) {
        return new BearerToken(token, null, null);
    }

    static BearerToken authenticated(Tokens.Grant grant) {
        return new BearerToken(null, grant.role(), grant.caller());
    }

    Role role() {
        return role;
    }

    /** Who presented it, once checked. */
    Caller caller() {
        return caller;
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
