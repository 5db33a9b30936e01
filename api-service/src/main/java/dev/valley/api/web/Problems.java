package dev.valley.api.web;

import static dev.valley.model.Json.JSON;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;

/** Problem details written by filters, which answer before Spring MVC and its {@link ProblemDetailsAdvice} run. */
public final class Problems {

    private Problems() {
    }

    public static void write(HttpServletRequest request, HttpServletResponse response, HttpStatus status, String title,
            String detail) throws IOException {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        instance(request, problem);
        write(response, problem);
    }

    /** As Spring MVC writes a problem: its members without the ones not set, its properties beside them. */
    static void write(HttpServletResponse response, ProblemDetail problem) throws IOException {
        response.setStatus(problem.getStatus());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
        if (problem.getType() != null && !"about:blank".equals(problem.getType().toString())) {
            body.put("type", problem.getType().toString());
        }
        body.put("title", problem.getTitle());
        body.put("status", problem.getStatus());
        body.put("detail", problem.getDetail());
        if (problem.getInstance() != null) {
            body.put("instance", problem.getInstance().toString());
        }
        if (problem.getProperties() != null) {
            body.putAll(problem.getProperties());
        }
        JSON.writeValue(response.getOutputStream(), body);
    }

    /** The path as the client sent it, where it is a URI at all: a request refused for its spelling may not be. */
    static void instance(HttpServletRequest request, ProblemDetail problem) {
        try {
            problem.setInstance(URI.create(request.getRequestURI()));
        } catch (IllegalArgumentException e) {
            // leave instance out
        }
    }
}
