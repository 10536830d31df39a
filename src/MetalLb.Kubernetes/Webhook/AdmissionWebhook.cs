using System.Text.Json;
using System.Text.Json.Nodes;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.MetalLb.Model;

namespace BgpKit.MetalLb.Kubernetes.Webhook;

/// <summary>
/// MetalLB's validating admission webhook: one path per kind, as upstream serves them, each
/// answering an <c>admission.k8s.io/v1</c> AdmissionReview with the verdict of
/// <see cref="AdmissionCheck"/> against the configuration the controller holds now. A request that
/// is not an AdmissionReview gets 400 and a one-line reason; nothing in it can make this throw.
/// </summary>
internal sealed class AdmissionWebhook
{
    /// <summary>The paths, as upstream's webhook configuration names them, and the kind each one validates.</summary>
    public static readonly IReadOnlyDictionary<string, string> Paths = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["/validate-metallb-io-v1beta2-bgppeer"] = "BGPPeer",
        ["/validate-metallb-io-v1beta1-ipaddresspool"] = "IPAddressPool",
        ["/validate-metallb-io-v1beta1-bgpadvertisement"] = "BGPAdvertisement",
        ["/validate-metallb-io-v1beta1-l2advertisement"] = "L2Advertisement",
        ["/validate-metallb-io-v1beta1-community"] = "Community",
        ["/validate-metallb-io-v1beta1-bfdprofile"] = "BFDProfile",
    };

    // A duplicate key made JsonObject throw ArgumentException on first lookup, after Parse had succeeded
    // (found by AFL++): rejecting duplicates makes Parse itself refuse them.
    private static readonly JsonDocumentOptions StrictJson = new() { AllowDuplicateProperties = false };

    private readonly string _namespace;
    private readonly Func<ResourceSnapshot?> _snapshot;

    /// <param name="namespace">MetalLB's namespace: its configuration lives there only.</param>
    /// <param name="snapshot">The cluster as the controller last read it (null before the first read).</param>
    public AdmissionWebhook(string @namespace, Func<ResourceSnapshot?> snapshot)
    {
        _namespace = @namespace;
        _snapshot = snapshot;
    }

    /// <summary>Answers one POST: HTTP status and JSON body.</summary>
    public (int Status, string Body) Handle(string path, ReadOnlySpan<byte> body)
    {
        if (!Paths.TryGetValue(path, out var kind))
        {
            return (404, Error($"no webhook at {path}"));
        }
        // JsonNode decodes strings lazily: invalid UTF-8 in any string threw InvalidOperationException long
        // after Parse succeeded (found by AFL++, fuzz/regressions/admission).
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            return (400, Error("not an AdmissionReview: the body is not UTF-8"));
        }
        return HandleReview(kind, body);
    }

    private (int Status, string Body) HandleReview(string kind, ReadOnlySpan<byte> body)
    {
        JsonObject review;
        JsonObject request;
        try
        {
            review = JsonNode.Parse(body, documentOptions: StrictJson) as JsonObject ?? throw new JsonException("not a JSON object");
            request = review["request"] as JsonObject ?? throw new JsonException("no request");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            return (400, Error("not an AdmissionReview: " + e.Message));
        }
        var uid = Text(request["uid"]);
        var operation = Text(request["operation"]);
        if (uid is null || operation is null || review["apiVersion"]?.GetValueKind() != JsonValueKind.String)
        {
            return (400, Error("not an admission.k8s.io/v1 AdmissionReview: request.uid and request.operation are required"));
        }
        var verdict = Judge(kind, operation, request);
        var response = new JsonObject { ["uid"] = uid, ["allowed"] = verdict.Allowed };
        if (!verdict.Allowed)
        {
            response["status"] = new JsonObject { ["code"] = 403, ["reason"] = "Forbidden", ["message"] = verdict.Message };
        }
        if (verdict.Warnings.Count > 0)
        {
            response["warnings"] = new JsonArray(verdict.Warnings.Select(w => (JsonNode)w).ToArray());
        }
        var answer = new JsonObject
        {
            ["apiVersion"] = Text(review["apiVersion"]) ?? "admission.k8s.io/v1",
            ["kind"] = "AdmissionReview",
            ["response"] = response,
        };
        return (200, answer.ToJsonString());
    }

    private AdmissionVerdict Judge(string kind, string operation, JsonObject request)
    {
        var subject = (operation == "DELETE" ? request["oldObject"] : request["object"]) as JsonObject;
        // metadata may be any JSON value in a hostile review: only an object has a namespace or a name.
        var metadata = subject?["metadata"] as JsonObject;
        var ns = Text(request["namespace"]) ?? Text(metadata?["namespace"]) ?? "";
        var name = Text(request["name"]) ?? Text(metadata?["name"]) ?? "";
        if (operation is not ("CREATE" or "UPDATE" or "DELETE"))
        {
            return new AdmissionVerdict(true, null, []);
        }
        if (ns != _namespace)
        {
            // Upstream's words: MetalLB reads its configuration from its own namespace only.
            return operation == "DELETE" ? new AdmissionVerdict(true, null, []) : new AdmissionVerdict(false, $"resource must be created in {_namespace} namespace", []);
        }
        if (operation != "DELETE" && subject is null)
        {
            return new AdmissionVerdict(false, $"the AdmissionReview carries no object to {operation.ToLowerInvariant()}", []);
        }
        var origin = $"{kind}/{ns}/{name}";
        var current = new ManifestSet();
        var others = new ManifestSet();
        foreach (var document in _snapshot()?.Documents ?? [])
        {
            if (!IsConfiguration(document.Origin))
            {
                continue;
            }
            var read = ManifestSet.Parse(document.Text, document.Origin, ReadMode.ApiServer);
            current.Add(read);
            if (document.Origin != origin)
            {
                others.Add(read);
            }
        }
        var incoming = operation == "DELETE" ? null : ManifestSet.Parse(subject!.ToJsonString(), origin, ReadMode.Admission);
        return AdmissionCheck.Judge(current, others, incoming, kind, name);
    }

    private static bool IsConfiguration(string origin) =>
        origin.StartsWith("IPAddressPool/", StringComparison.Ordinal) || origin.StartsWith("BGPPeer/", StringComparison.Ordinal)
        || origin.StartsWith("BGPAdvertisement/", StringComparison.Ordinal) || origin.StartsWith("L2Advertisement/", StringComparison.Ordinal)
        || origin.StartsWith("Community/", StringComparison.Ordinal) || origin.StartsWith("BFDProfile/", StringComparison.Ordinal)
        || origin.StartsWith("Secret/", StringComparison.Ordinal);

    private static string? Text(JsonNode? node)
    {
        try
        {
            return node is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;
        }
        catch (InvalidOperationException)
        {
            // A lone escaped surrogate ("\ud800") is valid JSON but no string: read as absent.
            return null;
        }
    }

    private static string Error(string message) => new JsonObject { ["kind"] = "Status", ["status"] = "Failure", ["message"] = message }.ToJsonString();
}
