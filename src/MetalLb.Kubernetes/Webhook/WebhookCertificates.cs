using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace BgpKit.MetalLb.Kubernetes.Webhook;

/// <summary>
/// Keeps the webhook's certificates without cert-manager: the CA and serving certificate live in
/// the Secret the manifests ship empty (read and replaced by name; a replica that loses a race to
/// another's replace re-reads and uses theirs), and the CA is written into the caBundle of every
/// webhook of the ValidatingWebhookConfiguration and of the BGPPeer CRD's conversion webhook. Run
/// at start and then periodically, so expiry and a caBundle reset by a re-apply are repaired.
/// </summary>
internal sealed partial class WebhookCertificates
{
    private readonly IKubernetes _client;
    private readonly WebhookOptions _options;
    private readonly string _namespace;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private X509Certificate2? _serving;
    private string? _servingPem;

    public WebhookCertificates(IKubernetes client, WebhookOptions options, string @namespace, TimeProvider time, ILogger logger)
    {
        _client = client;
        _options = options;
        _namespace = @namespace;
        _time = time;
        _logger = logger;
    }

    /// <summary>The serving certificate in use (null until the Secret was read).</summary>
    public X509Certificate2? Current => Volatile.Read(ref _serving);

    /// <summary>Brings the Secret and the caBundles up to date; false (logged) when some step failed, to be retried.</summary>
    public async Task<bool> EnsureAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!_options.ManageCertificates)
            {
                return await ReadIssuedAsync(cancellationToken).ConfigureAwait(false);
            }
            var bundle = await EnsureSecretAsync(cancellationToken).ConfigureAwait(false);
            Use(bundle);
            var ca = Encoding.ASCII.GetBytes(bundle.CaPem);
            await PatchWebhookConfigurationAsync(ca, cancellationToken).ConfigureAwait(false);
            await PatchConversionAsync(ca, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException e)
        {
            LogFailed(_logger, $"{(int)e.Response.StatusCode} {e.Response.ReasonPhrase} ({e.Request?.Method} {e.Request?.RequestUri?.AbsolutePath})");
            return false;
        }
        catch (HttpRequestException e)
        {
            LogFailed(_logger, e.Message);
            return false;
        }
    }

    /// <summary>Runs <see cref="EnsureAsync"/> every <paramref name="interval"/> (sooner after a failure) until cancelled.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var ok = await EnsureAsync(cancellationToken).ConfigureAwait(false);
                await Task.Delay(ok ? interval : TimeSpan.FromSeconds(5), _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task<CertificateBundle> EnsureSecretAsync(CancellationToken cancellationToken)
    {
        var names = CertificateBundle.DnsNames(_options.ServiceName, _namespace);
        for (var attempt = 0; ; attempt++)
        {
            var secret = await _client.CoreV1.ReadNamespacedSecretAsync(_options.SecretName, _namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            var data = secret.Data ?? new Dictionary<string, byte[]>();
            if (data.TryGetValue("ca.crt", out var ca) && data.TryGetValue("tls.crt", out var crt) && data.TryGetValue("tls.key", out var key))
            {
                var held = new CertificateBundle(Encoding.ASCII.GetString(ca), Encoding.ASCII.GetString(crt), Encoding.ASCII.GetString(key));
                if (held.Serves(names, _time.GetUtcNow()))
                {
                    return held;
                }
            }
            var fresh = CertificateBundle.Create(names, _time.GetUtcNow());
            secret.Data = new Dictionary<string, byte[]>
            {
                ["ca.crt"] = Encoding.ASCII.GetBytes(fresh.CaPem),
                ["tls.crt"] = Encoding.ASCII.GetBytes(fresh.CertificatePem),
                ["tls.key"] = Encoding.ASCII.GetBytes(fresh.KeyPem),
            };
            try
            {
                // The read resourceVersion goes with it: if another replica wrote first, 409, and its certificates win.
                await _client.CoreV1.ReplaceNamespacedSecretAsync(secret, _options.SecretName, _namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                LogCreated(_logger, _namespace, _options.SecretName, string.Join(", ", names));
                return fresh;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict && attempt < 3)
            {
            }
        }
    }

    /// <summary>cert-manager's Secret (<c>tls.crt</c>, <c>tls.key</c>, <c>ca.crt</c>): used as it is; false while it is not issued yet.</summary>
    private async Task<bool> ReadIssuedAsync(CancellationToken cancellationToken)
    {
        var secret = await _client.CoreV1.ReadNamespacedSecretAsync(_options.SecretName, _namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (secret.Data is not { } data || !data.TryGetValue("tls.crt", out var crt) || !data.TryGetValue("tls.key", out var key))
        {
            LogFailed(_logger, $"Secret {_namespace}/{_options.SecretName} has no tls.crt and tls.key yet (cert-manager issues them)");
            return false;
        }
        data.TryGetValue("ca.crt", out var ca);
        Use(new CertificateBundle(ca is null ? "" : Encoding.ASCII.GetString(ca), Encoding.ASCII.GetString(crt), Encoding.ASCII.GetString(key)));
        return true;
    }

    private void Use(CertificateBundle bundle)
    {
        if (bundle.CertificatePem == _servingPem)
        {
            return;
        }
        var old = Interlocked.Exchange(ref _serving, bundle.ServingCertificate());
        _servingPem = bundle.CertificatePem;
        old?.Dispose();
    }

    private async Task PatchWebhookConfigurationAsync(byte[] ca, CancellationToken cancellationToken)
    {
        if (_options.ConfigurationName is not { Length: > 0 } name)
        {
            return;
        }
        var configuration = await _client.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
        var stale = configuration.Webhooks?.Where(w => w.ClientConfig.CaBundle is null || !w.ClientConfig.CaBundle.AsSpan().SequenceEqual(ca)).ToList() ?? [];
        if (stale.Count == 0)
        {
            return;
        }
        foreach (var webhook in stale)
        {
            webhook.ClientConfig.CaBundle = ca;
        }
        await _client.AdmissionregistrationV1.ReplaceValidatingWebhookConfigurationAsync(configuration, name, cancellationToken: cancellationToken).ConfigureAwait(false);
        LogCaBundle(_logger, "ValidatingWebhookConfiguration", name);
    }

    private async Task PatchConversionAsync(byte[] ca, CancellationToken cancellationToken)
    {
        if (_options.ConversionCrdName is not { Length: > 0 } name)
        {
            return;
        }
        var crd = await _client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (crd.Spec.Conversion?.Webhook?.ClientConfig is not { } clientConfig || clientConfig.CaBundle is { } current && current.AsSpan().SequenceEqual(ca))
        {
            return;
        }
        clientConfig.CaBundle = ca;
        await _client.ApiextensionsV1.ReplaceCustomResourceDefinitionAsync(crd, name, cancellationToken: cancellationToken).ConfigureAwait(false);
        LogCaBundle(_logger, "CustomResourceDefinition", name);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook certificates made and stored in Secret {Namespace}/{Secret} for {Names}")]
    private static partial void LogCreated(ILogger logger, string @namespace, string secret, string names);

    [LoggerMessage(Level = LogLevel.Information, Message = "caBundle of {Kind} {Name} set to the webhook CA")]
    private static partial void LogCaBundle(ILogger logger, string kind, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook certificates not brought up to date, retrying: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
