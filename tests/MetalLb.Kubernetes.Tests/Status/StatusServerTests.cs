using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using BgpKit.MetalLb.Kubernetes.Metrics;
using BgpKit.MetalLb.Kubernetes.Status;
using BgpKit.MetalLb.Kubernetes.Tests.Sources;
using BgpKit.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace BgpKit.MetalLb.Kubernetes.Tests.Status;

public sealed class StatusServerTests
{
    private sealed class FixedStatus : ISpeakerStatus
    {
        public static readonly BgpPeerSummary Row = new("router-a", "127.0.0.2", 1790, 64512, 64513, "Established", 42, 3, 0, 10, 9, null);

        public string? AskedName { get; private set; }
        public (string? Peer, bool Received) AskedRoutes { get; private set; }

        public BgpSummaryView BgpSummary() => new("node-1", "10.0.0.1", 64513, [Row]);

        public IReadOnlyList<BgpNeighborView> BgpNeighbors(string? name)
        {
            AskedName = name;
            return [];
        }

        public IReadOnlyList<BgpRouteView> BgpRoutes(string? peer, bool received)
        {
            AskedRoutes = (peer, received);
            return [];
        }

        public BfdPeersView BfdPeers() => new([new BfdPeerStatus("127.0.0.2", "127.0.0.1", "Up", "Up", 1, 2, 300, 300, 3, 900, 5, 0)]);

        public ConfigView? Read { get; set; }

        public ConfigView Config() => Read ?? new("node-1", null, null);
    }

    [Fact]
    public async Task Probes_say_healthy_at_once_and_ready_once_a_configuration_was_read()
    {
        var status = new FixedStatus();
        await using var speaker = new StatusServer(new IPEndPoint(IPAddress.Loopback, 1), status, null, NullLogger.Instance);
        Assert.Equal(200, speaker.Route("/healthz", new()).Status);
        Assert.Equal(503, speaker.Route("/readyz", new()).Status);
        status.Read = new ConfigView("node-1", null, new ConfigChangeView("2026-12-07T00:00:00Z", false, [], [], []));
        Assert.Equal(200, speaker.Route("/readyz", new()).Status); // an invalid configuration is read too: the pod says why in show config

        var ready = false;
        using var exporter = new PrometheusExporter(_ => false);
        await using var controller = new StatusServer(new IPEndPoint(IPAddress.Loopback, 1), exporter,
            () => new ControllerView("a", null, false, null, [], [], 0), () => ready, NullLogger.Instance);
        Assert.Equal(200, controller.Route("/healthz", new()).Status);
        Assert.Equal(503, controller.Route("/readyz", new()).Status);
        ready = true;
        Assert.Equal(200, controller.Route("/readyz", new()).Status);
        Assert.Equal(404, controller.Route("/v1/bgp/summary", new()).Status);
    }

    private sealed class BrokenStatus : ISpeakerStatus
    {
        public BgpSummaryView BgpSummary() => throw new NotSupportedException("password=s3cret");

        public IReadOnlyList<BgpNeighborView> BgpNeighbors(string? name) => [];

        public IReadOnlyList<BgpRouteView> BgpRoutes(string? peer, bool received) => [];

        public BfdPeersView BfdPeers() => new([]);

        public ConfigView Config() => new("node-1", null, null);
    }

    [Fact]
    public async Task A_request_that_fails_answers_500_and_is_logged_as_a_warning_naming_the_path_without_the_message()
    {
        var logger = new CapturingLogger();
        await using var server = new StatusServer(new IPEndPoint(IPAddress.Loopback, 1), new BrokenStatus(), null, logger);

        Assert.Equal(500, server.Route("/v1/bgp/summary", new()).Status);

        var line = Assert.Single(logger.Lines);
        Assert.StartsWith("Warning: ", line);
        Assert.Contains("/v1/bgp/summary", line);
        Assert.Contains(nameof(NotSupportedException), line);
        Assert.DoesNotContain("s3cret", line);
    }

    [Fact]
    public void Status_options_resolve_every_view_from_source_generated_metadata()
    {
        // What the NativeAOT bgpkit relies on: reflection-based System.Text.Json is off there, so each document the
        // endpoints serve and `bgpkit show` reads must come from the generated context, not a reflection fallback.
        foreach (var type in new[] { typeof(BgpSummaryView), typeof(IReadOnlyList<BgpNeighborView>), typeof(IReadOnlyList<BgpRouteView>),
            typeof(BfdPeersView), typeof(ConfigView), typeof(ControllerView), typeof(Layer2View) })
        {
            var info = StatusJson.Options.GetTypeInfo(type);
            Assert.Equal(type, info.Type);
        }
        Assert.IsAssignableFrom<System.Text.Json.Serialization.JsonSerializerContext>(StatusJson.Options.TypeInfoResolver);
        Assert.Throws<NotSupportedException>(() => StatusJson.Options.GetTypeInfo(typeof(Uri)));
    }

    [Fact]
    public async Task Summary_json_has_exactly_the_contract_fields()
    {
        var status = new FixedStatus();
        await using var server = new StatusServer(new IPEndPoint(IPAddress.Loopback, 1), status, null, NullLogger.Instance);

        var (code, type, body) = server.Route("/v1/bgp/summary", new());

        Assert.Equal(200, code);
        Assert.StartsWith("application/json", type);
        using var doc = JsonDocument.Parse(body);
        var peer = doc.RootElement.GetProperty("peers")[0];
        Assert.Equal(
            ["name", "address", "port", "remoteAsn", "localAsn", "state", "uptime", "prefixesSent", "prefixesReceived", "messagesSent", "messagesReceived", "lastError"],
            peer.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Bfd_json_has_exactly_the_contract_fields()
    {
        await using var server = new StatusServer(new IPEndPoint(IPAddress.Loopback, 1), new FixedStatus(), null, NullLogger.Instance);
        using var doc = JsonDocument.Parse(server.Route("/v1/bfd/peers", new()).Body);
        Assert.Equal(
            ["peer", "localAddress", "state", "remoteState", "localDiscriminator", "remoteDiscriminator", "transmitInterval", "receiveInterval", "detectMultiplier", "detectionTime", "uptime", "downEvents"],
            doc.RootElement.GetProperty("peers")[0].EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Query_parameters_reach_the_status_and_unknown_paths_are_404()
    {
        var status = new FixedStatus();
        await using var server = new StatusServer(new IPEndPoint(IPAddress.Loopback, 1), status, null, NullLogger.Instance);

        server.Route("/v1/bgp/neighbors", new() { ["name"] = "router-a" });
        server.Route("/v1/bgp/routes", new() { ["peer"] = "router-a", ["received"] = "true" });

        Assert.Equal("router-a", status.AskedName);
        Assert.Equal(("router-a", true), status.AskedRoutes);
        Assert.Equal(404, server.Route("/nope", new()).Status);
        Assert.Equal(404, server.Route("/metrics", new()).Status); // no exporter given
    }

    [Fact]
    public async Task Serves_json_and_metrics_over_http_on_loopback()
    {
        using var meter = new Meter("BgpKit.Test.StatusServer");
        using var exporter = new PrometheusExporter(m => m.Name == meter.Name);
        meter.CreateCounter<long>("bgp_opens_sent").Add(2);
        var endPoint = new IPEndPoint(IPAddress.Loopback, FreePort.Tcp());
        await using var server = new StatusServer(endPoint, new FixedStatus(), exporter, NullLogger.Instance);
        server.Start();
        using var client = new HttpClient { BaseAddress = new Uri($"http://{endPoint}/"), Timeout = TimeSpan.FromSeconds(30) };

        var summary = await client.GetFromJsonAsyncSafe<BgpSummaryView>("v1/bgp/summary");
        Assert.Equal(FixedStatus.Row, Assert.Single(summary.Peers));

        using var metrics = await client.GetAsync("metrics");
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", metrics.Content.Headers.ContentType!.ToString());
        Assert.Contains("bgpkit_bgp_opens_sent 2\n", await metrics.Content.ReadAsStringAsync());

        using var post = await client.PostAsync("v1/config", new StringContent(""));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    [Fact]
    public async Task One_connection_carries_several_requests_one_after_another()
    {
        // A scraper or HttpClient keeps the connection open between requests; the server must answer each of
        // them on it instead of dropping the connection after the first answer.
        var endPoint = new IPEndPoint(IPAddress.Loopback, FreePort.Tcp());
        await using var server = new StatusServer(endPoint, new FixedStatus(), null, NullLogger.Instance);
        server.Start();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(endPoint);
        var stream = tcp.GetStream();
        stream.ReadTimeout = 30_000;

        foreach (var (request, expected) in new[]
        {
            ($"GET /v1/bgp/summary HTTP/1.1\r\nHost: {endPoint}\r\n\r\n", 200),
            ($"POST /v1/config HTTP/1.1\r\nHost: {endPoint}\r\nContent-Length: 0\r\n\r\n", 405),
            ($"GET /nope HTTP/1.1\r\nHost: {endPoint}\r\n\r\n", 404),
            ($"GET /v1/bfd/peers HTTP/1.1\r\nHost: {endPoint}\r\n\r\n", 200),
        })
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
            var (status, headers) = ReadResponse(stream);
            Assert.Equal(expected, status);
            Assert.DoesNotContain("connection: close", headers, StringComparison.OrdinalIgnoreCase);
        }
    }

    private static (int Status, string Headers) ReadResponse(NetworkStream stream)
    {
        var head = new StringBuilder();
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            var b = stream.ReadByte();
            Assert.True(b >= 0, $"the server closed the connection; read so far: '{head}'");
            head.Append((char)b);
        }
        var headers = head.ToString();
        var lines = headers.Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var length = lines.Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(l => int.Parse(l["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)).Single();
        var body = new byte[length];
        stream.ReadExactly(body);
        return (status, headers);
    }
}

internal static class HttpClientJson
{
    public static async Task<T> GetFromJsonAsyncSafe<T>(this HttpClient client, string path)
    {
        var text = await client.GetStringAsync(path);
        return JsonSerializer.Deserialize<T>(text, StatusJson.Options)!;
    }
}
