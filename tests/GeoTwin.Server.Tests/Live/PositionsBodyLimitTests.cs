using System.Net;
using System.Text;
using System.Text.Json;
using GeoTwin.Server.Live;
using Microsoft.Extensions.DependencyInjection;

namespace GeoTwin.Server.Tests.Live;

/// <summary>
/// The positions endpoint's own body limit (MaxBatch fixes of 400 bytes: 2,000,000 by default) is the one that holds,
/// not the server-wide 1 MiB: a body between the two is read, one above it is a 413 problem, never a 500.
/// </summary>
[Collection("postgis")]
public sealed class PositionsBodyLimitTests(PostgisFixture pg)
{
    [Fact]
    public async Task A_body_between_one_MiB_and_the_batch_limit_is_read_and_one_above_is_413()
    {
        await using var server = await pg.StartServerAsync();
        var (unit1, _) = await LiveSeed.SeedAsync(server.Database.DataSource);
        await server.App.Services.GetRequiredService<LiveSync>().RefreshAsync(default);
        using var device = await LiveSeed.DeviceAsync(server, TwoStations.City);
        var limit = server.App.Services.GetRequiredService<LiveOptions>().MaxBatchBytes;
        Assert.Equal(2_000_000, limit);

        // Three fixes padded with whitespace to 1.5 MB: more than Kestrel's default, less than the endpoint's limit.
        var fixes = JsonSerializer.Serialize(Enumerable.Range(1, 3).Select(i => LiveSeed.Fix(unit1, DateTime.UtcNow.AddSeconds(-i), 7.41, 43.73)));
        string Body(int size)
        {
            var body = "{\"fixes\":" + fixes + new string(' ', size - fixes.Length - 10) + "}";
            Assert.Equal(size, Encoding.UTF8.GetByteCount(body));
            return body;
        }

        foreach (var chunked in new[] { false, true })
        {
            var between = await device.PostAsync("/api/positions", Content(Body(1_500_000), chunked));
            Assert.True(between.StatusCode == HttpStatusCode.OK, $"chunked={chunked}: {(int)between.StatusCode} {await between.Content.ReadAsStringAsync()}");

            var above = await device.PostAsync("/api/positions", Content(Body((int)limit + 1), chunked));
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, above.StatusCode);
            Assert.Equal("application/problem+json", above.Content.Headers.ContentType?.MediaType);
            Assert.Contains("body: at most 2,000,000 bytes (5000 fixes) a request", await above.Content.ReadAsStringAsync());
        }
    }

    /// <summary>Chunked: no Content-Length, so the limit is met while reading.</summary>
    static HttpContent Content(string body, bool chunked)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        HttpContent content = chunked ? new StreamContent(new MemoryStream(bytes)) : new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/json");
        if (chunked) content.Headers.ContentLength = null;
        return content;
    }
}
