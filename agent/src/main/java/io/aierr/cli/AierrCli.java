package io.aierr.cli;

/** {@code java -jar aierr.jar [classify]}. (Placeholder; being written.) */
public final class AierrCli {
    private AierrCli() {
    }

    public static void main(String[] args) {
        System.out.println("aierr");
    }
}
