package io.aierr.instrumentation.apache;

import io.aierr.instrumentation.TypeInstrumentation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Every Apache HttpClient class aierr weaves, by exact name. */
public final class ApacheInstrumentations {
    private ApacheInstrumentations() {
    }

    public static List<TypeInstrumentation> all() {
        List<TypeInstrumentation> all = new ArrayList<>();
        all.addAll(Arrays.asList(ClassicExecuteInstrumentation.all()));
        all.addAll(Arrays.asList(AsyncExecuteInstrumentation.all()));
        all.addAll(Arrays.asList(RetryStrategyInstrumentation.all()));
        return all;
    }
}
