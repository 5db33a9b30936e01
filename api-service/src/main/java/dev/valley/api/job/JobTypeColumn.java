package dev.valley.api.job;

import dev.valley.model.job.JobType;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/** A job type is stored by its wire name ({@code train}, {@code curve}, …), as the API spells it. */
@Converter
class JobTypeColumn implements AttributeConverter<JobType, String> {
    @Override
    public String convertToDatabaseColumn(JobType type) {
        return type == null ? null : type.wireName();
    }

    @Override
    public JobType convertToEntityAttribute(String name) {
        return name == null ? null : JobType.fromWireName(name).orElseThrow(() -> new IllegalStateException(
                "a job row has the unknown type '" + name + "'"));
    }
}
