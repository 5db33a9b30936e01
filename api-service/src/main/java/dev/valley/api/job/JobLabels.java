package dev.valley.api.job;

import dev.valley.api.web.InvalidRequestException;
import dev.valley.api.web.InvalidRequestException.FieldError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What files a job with others: an experiment (a name) and tags (keys to values). A submission's are checked here,
 * each fault named by its field; the job list's {@code tag=key:value} filters are read here.
 */
final class JobLabels {
    static final int MAX_EXPERIMENT = 100;
    static final int MAX_TAGS = 20;
    static final int MAX_VALUE = 200;
    /** A key names no ':' (the filter's separator) and nothing a URL or a shell would need to quote. */
    static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.\\-/]{1,64}");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cc}");

    private JobLabels() {
    }

    static void check(String experiment, Map<String, String> tags) {
        List<FieldError> errors = new ArrayList<>();
        if (experiment != null && !isExperiment(experiment)) {
            errors.add(new FieldError("experiment", "must be 1 to " + MAX_EXPERIMENT
                    + " printable characters when given"));
        }
        if (tags != null && tags.size() > MAX_TAGS) {
            errors.add(new FieldError("tags", "may hold at most " + MAX_TAGS + " pairs, not " + tags.size()));
        } else if (tags != null) {
            tags.forEach((key, value) -> {
                if (!KEY.matcher(key).matches()) {
                    errors.add(new FieldError("tags", "key '" + key.substring(0, Math.min(key.length(), 80))
                            + "' must be 1 to 64 of A-Z a-z 0-9 _ . - /"));
                } else if (value == null || !isValue(value)) {
                    errors.add(new FieldError("tags." + key, "must be a string of at most " + MAX_VALUE
                            + " printable characters"));
                }
            });
        }
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
    }

    /** The job list's experiment filter: what a submission's experiment may be (no job has anything else). */
    static String experimentFilter(String experiment) {
        if (experiment != null && !isExperiment(experiment)) {
            throw new InvalidRequestException("experiment", "must be 1 to " + MAX_EXPERIMENT
                    + " printable characters");
        }
        return experiment;
    }

    /** {@code key:value} filters, each of which a job's tags must hold. */
    static Map<String, String> filter(List<String> tags) {
        Map<String, String> wanted = new LinkedHashMap<>();
        for (String tag : tags == null ? List.<String>of() : tags) {
            int colon = tag.indexOf(':');
            if (colon < 1 || !KEY.matcher(tag.substring(0, colon)).matches() || !isValue(tag.substring(colon + 1))) {
                throw new InvalidRequestException("tag", "'" + printable(tag) + "' must be key:value, a key of "
                        + "A-Z a-z 0-9 _ . - / and a value of at most " + MAX_VALUE + " printable characters");
            }
            wanted.put(tag.substring(0, colon), tag.substring(colon + 1));
        }
        return wanted;
    }

    /** 1 to {@link #MAX_EXPERIMENT} characters, not all blank, none a control character. */
    private static boolean isExperiment(String experiment) {
        return !experiment.isBlank() && experiment.length() <= MAX_EXPERIMENT && !CONTROL.matcher(experiment).find();
    }

    /** A tag's value: at most {@link #MAX_VALUE} characters, none a control character. */
    private static boolean isValue(String value) {
        return value.length() <= MAX_VALUE && !CONTROL.matcher(value).find();
    }

    private static String printable(String text) {
        String shown = CONTROL.matcher(text).replaceAll("?");
        return shown.length() > 80 ? shown.substring(0, 80) + "…" : shown;
    }
}
