package dev.valley.model.job;

import static java.lang.annotation.ElementType.ANNOTATION_TYPE;
import static java.lang.annotation.ElementType.CONSTRUCTOR;
import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.ElementType.TYPE_USE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/**
 * The fields of SGD with momentum that every job type which trains shares (train, curve, swa, fge): their limits, as
 * constraints each spec's fields wear, and their defaults, so that the types cannot drift apart. A value out of its
 * range is refused with the message of the limit it broke, naming the field.
 */
public final class Sgd {
    public static final int DEFAULT_BATCH_SIZE = 128;
    public static final double DEFAULT_LR = 0.05;
    public static final double DEFAULT_MOMENTUM = 0.9;
    public static final double DEFAULT_WEIGHT_DECAY = 1e-4;
    public static final long DEFAULT_SEED = 0;

    private Sgd() {
    }

    /** Examples per step: 1 to 65536. */
    @Target({METHOD, FIELD, ANNOTATION_TYPE, CONSTRUCTOR, PARAMETER, TYPE_USE})
    @Retention(RUNTIME)
    @Constraint(validatedBy = {})
    @NotNull
    @Min(1)
    @Max(65536)
    @Description("examples per SGD step")
    public @interface BatchSize {
        String message() default "";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    /** A learning rate: above 0, at most 10. */
    @Target({METHOD, FIELD, ANNOTATION_TYPE, CONSTRUCTOR, PARAMETER, TYPE_USE})
    @Retention(RUNTIME)
    @Constraint(validatedBy = {})
    @NotNull
    @DecimalMin(value = "0", inclusive = false)
    @DecimalMax("10")
    public @interface Rate {
        String message() default "";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    /** SGD's momentum: from 0, below 1. */
    @Target({METHOD, FIELD, ANNOTATION_TYPE, CONSTRUCTOR, PARAMETER, TYPE_USE})
    @Retention(RUNTIME)
    @Constraint(validatedBy = {})
    @NotNull
    @DecimalMin("0")
    @DecimalMax(value = "1", inclusive = false)
    @Description("SGD momentum (PyTorch's update rule: v = μv + g, w -= lr·v)")
    public @interface Momentum {
        String message() default "";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    /** L2 weight decay (PyTorch's, added to the gradient): 0 to 1. */
    @Target({METHOD, FIELD, ANNOTATION_TYPE, CONSTRUCTOR, PARAMETER, TYPE_USE})
    @Retention(RUNTIME)
    @Constraint(validatedBy = {})
    @NotNull
    @DecimalMin("0")
    @DecimalMax("1")
    @Description("L2 weight decay, added to the gradient")
    public @interface WeightDecay {
        String message() default "";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }
}
