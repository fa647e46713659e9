package dev.vboost.hardening.attack;

import dev.vboost.agent.journal.LeaseJournal;
import dev.vboost.impl.memory.FileAccess;
import dev.vboost.impl.memory.MappedRegionFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.nio.file.Paths;

/** A second agent process: tries to take the region and the journal another agent holds; prints what it was told. */
public final class SecondAgentMain {
    private SecondAgentMain() {
    }

    public static void main(String[] args) {
        Path region = Paths.get(args[0]);
        Path journal = Paths.get(args[1]);
        try (MappedRegionFile r = MappedRegionFile.createOrReuse(region, 4096, FileAccess.OWNER_ONLY)) {
            System.out.println("region=TAKEN (no lock held by the first agent)");
        } catch (UncheckedIOException e) {
            System.out.println("region=" + e.getMessage());
        }
        try (LeaseJournal j = LeaseJournal.open(journal)) {
            System.out.println("journal=TAKEN (no lock held by the first agent)");
        } catch (IOException e) {
            System.out.println("journal=" + e.getMessage());
        }
        System.out.flush();
    }
}
