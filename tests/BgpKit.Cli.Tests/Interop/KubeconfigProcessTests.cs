using BgpKit.BgpKit.Cli.Tests.Speaker;
using BgpKit.TestSupport;

namespace BgpKit.BgpKit.Cli.Tests.Interop;

/// <summary>
/// <c>bgpkit controller --kubeconfig</c> as a process: the file is read (a token file user, a context, a namespace)
/// and the controller goes on to call the API server it names. Run with <c>BGPKIT_EXE</c> (.ci/aot-check.sh) it
/// checks the NativeAOT binary, where KubernetesClient's own kubeconfig loader cannot run (its YAML deserializer asks
/// for metadata tokens) and bgpkit's reader must.
/// </summary>
public sealed class KubeconfigProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bgpkit-kubeconfig-process-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Controller_reads_the_kubeconfig_and_calls_the_server_it_names()
    {
        var port = FreePort.Tcp(); // nothing listens there: each call is refused, and says where it went
        File.WriteAllText(Path.Combine(_dir, "token"), "process-test-token\n");
        var config = Path.Combine(_dir, "config");
        File.WriteAllText(config, $"""
            apiVersion: v1
            kind: Config
            current-context: test
            clusters:
            - name: local
              cluster:
                server: http://127.0.0.1:{port}
            contexts:
            - name: test
              context: {"{"}cluster: local, user: reader, namespace: metallb-system{"}"}
            users:
            - name: reader
              user:
                tokenFile: token
            """);
        using var controller = BgpKitProcess.Start("controller", null, "controller", "--kubeconfig", config, "--identity", "c-1",
            "--metrics-listen", $"127.0.0.1:{FreePort.Tcp()}", "--log-level", "warn");
        try
        {
            await Poll.UntilAsync(() => controller.Log.Contains($"cannot reach http://127.0.0.1:{port}", StringComparison.Ordinal) || controller.HasExited,
                "the controller to call the kubeconfig's server", TimeSpan.FromSeconds(60)).WithText(() => controller.Log);
            Assert.False(controller.HasExited, controller.Log);
            Assert.Contains("/apis/metallb.io/v1beta1/namespaces/metallb-system/", controller.Log, StringComparison.Ordinal);
            Assert.DoesNotContain("process-test-token", controller.Log, StringComparison.Ordinal);
        }
        finally
        {
            controller.Kill();
        }
    }
}
