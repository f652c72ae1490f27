package io.aierr.tests.apps;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/**
 * One replica of a service: it starts and makes one call (as a running service has), says so with
 * the mark {@code warm-<name>}, waits for {@code go-<name>}, then runs {@link LoadApp}'s load with the
 * same API key. Several of them started together make their loads at the same moment, whatever
 * their JVMs' start took. Options: those of {@link LoadApp}, plus {@code signals} and {@code name}.
 */
public final class FleetApp {
    public static void main(String[] args) throws Exception {
        Map<String, String> o = JdkClientApp.options(args);
        HttpResponse<String> warm = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(o.get("url")))
                .header("content-type", "application/json")
                .header("authorization", "Bearer " + LoadApp.API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\",\"messages\":[\"warm up\"]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        System.out.println("warm-up=" + warm.statusCode());
        Signals.send(o.get("signals"), "warm-" + o.get("name"));
        if (!Signals.await(o.get("signals"), "go-" + o.get("name"))) {
            System.out.println("no go");
            System.exit(1);
        }
        LoadApp.main(args);
    }
}
