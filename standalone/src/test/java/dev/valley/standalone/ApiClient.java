package dev.valley.standalone;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The HTTP API as the tests use it. */
final class ApiClient {
    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final String base;
    /** Sent as {@code Authorization: Bearer} with every request; null for an open Valley. */
    private final String token;

    ApiClient(Valley valley) {
        this(valley.api(), null);
    }

    ApiClient(Valley valley, String token) {
        this(valley.api(), token);
    }

    ApiClient(org.springframework.context.ConfigurableApplicationContext api) {
        this(api, null);
    }

    /** An open api-service on 127.0.0.1:{@code port} (one in a process of its own). */
    ApiClient(int port) {
        this.base = "http://127.0.0.1:" + port;
        this.token = null;
    }

    ApiClient(org.springframework.context.ConfigurableApplicationContext api, String token) {
        this.base = "http://127.0.0.1:" + api.getEnvironment().getProperty("local.server.port");
        this.token = token;
    }

    /** A request to {@code path}, with this client's token. */
    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        return token == null ? request : request.header("Authorization", "Bearer " + token);
    }

    int port() {
        return URI.create(base).getPort();
    }

    HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Without a Content-Length: the body goes chunked, its size known only by reading it. */
    HttpResponse<String> postChunked(String path, String body) throws Exception {
        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return HTTP.send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(bytes)))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A multipart/form-data POST: a {@code byte[]} value is a file part (named after its field), anything else a
     * text field.
     */
    HttpResponse<String> postMultipart(String path, java.util.Map<String, ?> fields) throws Exception {
        String boundary = "valley-" + java.util.UUID.randomUUID();
        // A client of its own, so a connection Tomcat dropped after an error answer (400, 413) is never reused.
        return HttpClient.newHttpClient().send(request(path)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(multipart(boundary, fields))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static byte[] multipart(String boundary, java.util.Map<String, ?> fields) {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        for (var field : fields.entrySet()) {
            body.writeBytes(("--" + boundary + "\r\n").getBytes());
            if (field.getValue() instanceof byte[] bytes) {
                body.writeBytes(("Content-Disposition: form-data; name=\"" + field.getKey() + "\"; filename=\""
                        + field.getKey() + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes());
                body.writeBytes(bytes);
            } else {
                body.writeBytes(("Content-Disposition: form-data; name=\"" + field.getKey() + "\"\r\n\r\n"
                        + field.getValue()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            body.writeBytes("\r\n".getBytes());
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes());
        return body.toByteArray();
    }

    /** An answer to {@link #raw}: the status and the body as text. */
    record Raw(int status, String body) {
    }

    /**
     * Sends the request line, headers and body exactly as given, as an attacker's client would: nothing normalises or
     * checks {@code path} (java.net.URI would refuse a backslash and resolve {@code ..}). {@code Host},
     * {@code Content-Length} and {@code Connection: close} are added.
     */
    Raw raw(String method, String path, java.util.Map<String, String> headers, byte[] body) throws Exception {
        URI uri = URI.create(base);
        try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(60_000);
            StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":"
                    + uri.getPort() + "\r\nConnection: close\r\nContent-Length: " + body.length + "\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            var out = socket.getOutputStream();
            out.write(head.append("\r\n").toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8));
            String status = in.readLine();
            if (status == null || !status.startsWith("HTTP/1.1 ")) {
                throw new IllegalStateException(method + " " + path + ": no HTTP answer (" + status + ")");
            }
            // The body up to its end or 64 KB; not that of an event stream that was let through, which never ends.
            boolean stream = false;
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                stream |= line.toLowerCase(java.util.Locale.ROOT).startsWith("content-type: text/event-stream");
            }
            StringBuilder text = new StringBuilder();
            char[] buffer = new char[8192];
            for (int n; !stream && text.length() < (1 << 16) && (n = in.read(buffer)) > 0; ) {
                text.append(buffer, 0, n);
            }
            return new Raw(Integer.parseInt(status.substring(9, 12)), text.toString());
        }
    }

    /**
     * What curl does before a large upload: the headers only, with {@code Expect: 100-continue}, then it waits. Returns
     * the status line and what follows it; a server that refuses the upload answers without taking its body.
     */
    String announceUpload(String path, long contentLength) throws Exception {
        URI uri = URI.create(base);
        try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + "\r\n"
                    + "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: " + contentLength + "\r\n"
                    + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                    + "Expect: 100-continue\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            byte[] answer = socket.getInputStream().readNBytes(4096);
            return new String(answer, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** One server-sent event: its name and its data. */
    record Event(String name, String data) {
    }

    /**
     * Opens an event stream; the events arrive on the returned queue as they are sent, and an event named "end"
     * follows the last when the server closes the stream. Cancel the future to close it.
     */
    java.util.concurrent.CompletableFuture<Void> events(String path,
            java.util.concurrent.BlockingQueue<Event> events) {
        return HTTP.sendAsync(request(path).header("Accept", "text/event-stream")
                .build(), HttpResponse.BodyHandlers.ofLines()).thenAccept(response -> {
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException(path + ": HTTP " + response.statusCode());
                    }
                    String[] name = {null};
                    StringBuilder data = new StringBuilder();
                    response.body().forEach(line -> {
                        if (line.isEmpty()) {
                            if (name[0] != null || data.length() > 0) {
                                events.add(new Event(name[0], data.toString()));
                            }
                            name[0] = null;
                            data.setLength(0);
                        } else if (line.startsWith("event:")) {
                            name[0] = line.substring(6).strip();
                        } else if (line.startsWith("data:")) {
                            data.append(line.substring(5).strip());
                        }
                    });
                    events.add(new Event("end", ""));
                });
    }

    HttpResponse<String> delete(String path) throws Exception {
        return HTTP.send(request(path).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(request(path).build(), HttpResponse.BodyHandlers.ofString());
    }

    byte[] download(String jobId, String artifact) throws Exception {
        HttpResponse<byte[]> response = HTTP.send(request("/api/v1/jobs/" + jobId + "/artifacts/" + artifact)
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(artifact + " of " + jobId + ": HTTP " + response.statusCode());
        }
        return response.body();
    }

    /** Submits a job; returns the created job, failing on anything but 201. */
    JsonNode submit(String body) throws Exception {
        HttpResponse<String> response = post("/api/v1/jobs", body);
        if (response.statusCode() != 201) {
            throw new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    JsonNode job(String id) throws Exception {
        return JSON.readTree(get("/api/v1/jobs/" + id).body());
    }

    /** How many jobs this Valley holds. */
    long jobCount() throws Exception {
        return JSON.readTree(get("/api/v1/jobs?size=1").body()).at("/page/totalElements").asLong();
    }

    JsonNode awaitStatus(String id, String statusPattern, Duration atMost) {
        return await().atMost(atMost).pollInterval(Duration.ofMillis(200))
                .until(() -> job(id), j -> j.get("status").asString().matches(statusPattern));
    }

    JsonNode awaitEnd(String id, Duration atMost) {
        return awaitStatus(id, "SUCCEEDED|FAILED|CANCELLED", atMost);
    }
}
