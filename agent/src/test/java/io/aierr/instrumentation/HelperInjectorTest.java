package io.aierr.instrumentation;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HelperInjectorTest {
    /** Defining a helper loads its supertypes at once, so a helper supertype would come from the wrong loader. */
    @ParameterizedTest
    @ValueSource(strings = {"io.aierr.instrumentation.apache.hc4", "io.aierr.instrumentation.apache.hc5"})
    void helpersDoNotExtendOneAnother(String helperPackage) throws Exception {
        Set<String> helpers = HelperInjector.classesOf(helperPackage).keySet();
        assertTrue(helpers.contains(helperPackage + ".ReplayedEntity"), helpers.toString());
        if (helperPackage.endsWith("hc5")) {
            assertTrue(helpers.contains(helperPackage + ".AsyncCall$Execution"), "nested classes too: " + helpers);
        }
        for (String name : helpers) {
            Class<?> helper = Class.forName(name, false, getClass().getClassLoader());
            List<Class<?>> supertypes = new ArrayList<>(List.of(helper.getInterfaces()));
            if (helper.getSuperclass() != null) {
                supertypes.add(helper.getSuperclass());
            }
            for (Class<?> supertype : supertypes) {
                assertFalse(helpers.contains(supertype.getName()), name + " extends helper " + supertype.getName());
            }
        }
    }
}
