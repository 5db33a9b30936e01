package dev.valley.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Token entries with names and quotas: what they grant, and a wrong one refused without the token in the reason. */
class TokensTest {
    private static final String TOKEN = "tokens-test-0123456789";

    @Test
    void anEntryGivesItsRoleNameAndQuotas() {
        Tokens tokens = new Tokens(List.of("submit:" + TOKEN + ";name=alice;maxQueued=3;maxRunning=1",
                "read:other-token-0123456789"));
        assertThat(tokens.grantOf(TOKEN)).hasValue(new Tokens.Grant(Role.SUBMIT, new Caller("alice", 3, 1)));
        assertThat(tokens.grantOf(TOKEN + ";name=alice")).isEmpty();
        assertThat(tokens.grantOf("nobody-0123456789")).isEmpty();
    }

    @Test
    void withoutANameTheCallerIsNamedAfterTheStartOfTheTokensDigest() throws Exception {
        String expected = "token-" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest("other-token-0123456789".getBytes(StandardCharsets.UTF_8)), 0, 4);
        assertThat(new Tokens(List.of("read:other-token-0123456789")).grantOf("other-token-0123456789"))
                .hasValue(new Tokens.Grant(Role.READ, new Caller(expected, null, null)));
    }

    @Test
    void aWrongQuotaOrKeyStopsTheStartWithoutShowingTheToken() {
        assertThatThrownBy(() -> new Tokens(List.of("submit:" + TOKEN + ";maxQueued=0")))
                .hasMessage("valley.auth.tokens[0] has maxQueued=0; a quota is a whole number, 1 or more");
        assertThatThrownBy(() -> new Tokens(List.of("read:x-0123456789abcdef", "submit:" + TOKEN + ";maxRuning=2")))
                .hasMessageStartingWith("valley.auth.tokens[1] has 'maxRuning' after the token")
                .hasMessageNotContaining(TOKEN);
        assertThatThrownBy(() -> new Tokens(List.of("submit:" + TOKEN + ";name=a b")))
                .hasMessageContaining("has name 'a b'").hasMessageNotContaining(TOKEN);
    }
}
