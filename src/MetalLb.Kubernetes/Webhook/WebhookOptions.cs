using System.Net;

namespace BgpKit.MetalLb.Kubernetes;

/// <summary>Where the controller serves MetalLB's admission (and BGPPeer conversion) webhooks, and the objects that carry its certificates.</summary>
public sealed record WebhookOptions
{
    /// <summary>Where to listen for HTTPS from the API server (the webhook Service's targetPort), e.g. <c>0.0.0.0:9443</c>.</summary>
    public required IPEndPoint EndPoint { get; init; }

    /// <summary>The Secret (shipped empty) that holds the CA and serving certificate: <c>ca.crt</c>, <c>tls.crt</c>, <c>tls.key</c>.</summary>
    public string SecretName { get; init; } = "bgpkit-webhook-cert";

    /// <summary>The Service the API server calls; the serving certificate names <c>SERVICE.NAMESPACE.svc</c>.</summary>
    public string ServiceName { get; init; } = "bgpkit-webhook-service";

    /// <summary>The ValidatingWebhookConfiguration whose caBundles are kept current (empty: none).</summary>
    public string? ConfigurationName { get; init; } = "bgpkit-webhook-configuration";

    /// <summary>The CRD whose conversion webhook caBundle is kept current (empty: none).</summary>
    public string? ConversionCrdName { get; init; } = "bgppeers.metallb.io";

    /// <summary>
    /// True (default): the controller makes the certificates and keeps the caBundles current. False:
    /// cert-manager issues them into the Secret and its cainjector fills the caBundles; the controller
    /// only reads the Secret (and picks up each renewal).
    /// </summary>
    public bool ManageCertificates { get; init; } = true;

    /// <summary>How often certificates and caBundles are checked.</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromMinutes(10);
}
