package dev.valley.worker.science;

import ai.djl.Device;
import ai.djl.engine.Engine;

/** The device a worker computes on: configured ("cpu", "gpu", "gpu:1") or detected ("auto": a GPU if any). */
public final class Devices {
    private Devices() {
    }

    public static Device select(String configured) {
        String choice = configured == null ? "auto" : configured.trim().toLowerCase();
        if (choice.equals("auto")) {
            return Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
        }
        return Device.fromName(choice);
    }
}
