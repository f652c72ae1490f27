package io.aierr.tests.apps;

import com.sun.tools.attach.VirtualMachine;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * Makes a call, attaches the agent to itself (as an operator would to a running service), and
 * makes the same call again with the same client. Arguments: url, agent jar path.
 */
public final class LateAttachApp {
    public static void main(String[] args) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(args[0])).GET().build();
        System.out.println("before.status=" + client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
        attachSelf(args[1]);
        System.out.println("after.status=" + client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    /** Loads the agent into this running JVM (needs {@code -Djdk.attach.allowAttachSelf=true}). */
    public static void attachSelf(String agentJar) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(String.valueOf(ProcessHandle.current().pid()));
        try {
            vm.loadAgent(agentJar);
        } finally {
            vm.detach();
        }
    }
}
