package dev.vboost.agent.actuator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The tid-keyed table against a HashMap, under seeded random operations that make long clusters. */
class TidTableTest {

    @Test
    void behavesAsAMapUnderRandomOperations() {
        for (long seed = 1; seed <= 20; seed++) {
            Random r = new Random(seed);
            TidTable<String> table = new TidTable<>();
            Map<Integer, String> model = new HashMap<>();
            // few distinct ids, many collisions once the table is small, growth on the way
            int range = 1 + r.nextInt(300);
            for (int op = 0; op < 5_000; op++) {
                int tid = 1 + r.nextInt(range);
                switch (r.nextInt(3)) {
                    case 0:
                        String v = "v" + op;
                        assertEquals(model.put(tid, v), table.put(tid, v), "put " + tid + " seed " + seed);
                        break;
                    case 1:
                        assertEquals(model.remove(tid), table.remove(tid), "remove " + tid + " seed " + seed);
                        break;
                    default:
                        assertEquals(model.get(tid), table.get(tid), "get " + tid + " seed " + seed);
                        break;
                }
                assertEquals(model.size(), table.size(), "seed " + seed);
            }
            for (int tid = 1; tid <= range; tid++) {
                assertEquals(model.get(tid), table.get(tid), "final get " + tid + " seed " + seed);
            }
            List<String> values = new ArrayList<>(table.values());
            List<String> expected = new ArrayList<>(model.values());
            values.sort(null);
            expected.sort(null);
            assertEquals(expected, values, "seed " + seed);
        }
    }

    @Test
    void refusesIdsThatAreNotPositive() {
        TidTable<String> table = new TidTable<>();
        assertThrows(IllegalArgumentException.class, () -> table.put(0, "x"));
        assertThrows(IllegalArgumentException.class, () -> table.put(-5, "x"));
        assertNull(table.get(0));
        assertNull(table.remove(0));
        assertEquals(0, table.size());
    }
}
