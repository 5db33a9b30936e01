package dev.valley.worker.science.train;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.valley.model.job.ModelSpec;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.data.DatasetSplits;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.model.Architecture;
import dev.valley.worker.science.model.Architectures;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every job run starts from: its dataset (the seeded train subset where one is asked for) on the device, in a
 * manager of its own, and the architecture the model spec names for that data (a TorchScript module loaded into that
 * manager). Closing it frees the device.
 */
public record Workspace(DatasetSplits data, Architecture architecture, NDManager manager, DeviceData train,
        DeviceData test) implements AutoCloseable {

    public static Workspace open(DatasetCatalog datasets, String dataset, long seed, Integer trainSubset,
            ModelSpec model, Device device) {
        return open(datasets, dataset, seed, trainSubset, null, model, device);
    }

    /** With the test split cut to a seeded subset of {@code testSubset} examples too, where one is asked for. */
    public static Workspace open(DatasetCatalog datasets, String dataset, long seed, Integer trainSubset,
            Integer testSubset, ModelSpec model, Device device) {
        DatasetSplits data = datasets.load(dataset, seed).withTrainSubset(trainSubset, seed)
                .withTestSubset(testSubset, seed);
        NDManager manager = NDManager.newBaseManager(device);
        try {
            Architecture architecture = Architectures.of(model, data.sampleShape(), data.outputs(), datasets::module,
                    manager);
            return new Workspace(data, architecture, manager, DeviceData.of(manager, data.train()),
                    DeviceData.of(manager, data.test()));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The {@code __metadata__} every file of a run carries: the architecture's own entries, {@code dataset},
     * {@code classes} (0, and {@code task: regression}, for a regression set), {@code format} and the {@code spec}
     * as JSON; callers add their own after. */
    public Map<String, String> metadata(String format, Object spec) {
        return metadata(architecture, data, format, spec);
    }

    /** As {@link #metadata(String, Object)}, for a run that puts no whole dataset on the device. */
    public static Map<String, String> metadata(Architecture architecture, DatasetSplits data, String format,
            Object spec) {
        Map<String, String> metadata = new LinkedHashMap<>(architecture.metadata());
        metadata.put("dataset", data.name());
        metadata.put("classes", Integer.toString(data.classes()));
        if (data.isRegression()) {
            metadata.put("task", "regression");
        }
        metadata.put("format", format);
        metadata.put("spec", SpecJson.write(spec));
        return metadata;
    }

    @Override
    public void close() {
        train.close();
        test.close();
        manager.close();
    }
}
