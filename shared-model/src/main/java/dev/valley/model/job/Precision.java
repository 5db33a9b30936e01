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
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/**
 * The arithmetic of a job's forward passes (train and grid): {@code fp32}, or {@code bf16} as torch.autocast does
 * it on CUDA: matrix products and convolutions in bfloat16 with float32 weights kept, batch norm's statistics and
 * parameters, the loss and every reported metric in float32. On CUDA, and on a CPU for mlp only: a CPU worker fails
 * a bf16 job whose network has convolutions.
 */
public final class Precision {
    public static final String FP32 = "fp32";
    public static final String BF16 = "bf16";
    public static final String DEFAULT = FP32;

    private Precision() {
    }

    /** One of fp32, bf16. */
    @Target({METHOD, FIELD, ANNOTATION_TYPE, CONSTRUCTOR, PARAMETER, TYPE_USE})
    @Retention(RUNTIME)
    @Constraint(validatedBy = {})
    @NotNull
    @Pattern(regexp = "fp32|bf16", message = "must be one of: fp32, bf16")
    @Description("fp32, or bf16 on CUDA (as torch.autocast: products and convolutions in bfloat16, weights, batch "
            + "norm and the loss in float32; built-in architectures only); on a CPU only for mlp")
    public @interface Of {
        String message() default "";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }
}
