using System.Net;
using System.Text;

namespace GeoTwin.Server.Tests.Import;

/// <summary>A multipart upload cut short (imports and tilesets) is the client's fault: 400 "the upload ended early", never a 500.</summary>
[Collection("postgis")]
public sealed class TruncatedUploadTests(PostgisFixture pg)
{
    const string Boundary = "geotwin-test-boundary";

    /// <summary>The form's first part and half a file, without the closing boundary.</summary>
    static byte[] CutForm(string fileName) => Encoding.UTF8.GetBytes(
        $"--{Boundary}\r\nContent-Disposition: form-data; name=\"layer\"\r\n\r\naddresses\r\n" +
        $"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{fileName}\"\r\nContent-Type: application/octet-stream\r\n\r\n" +
        "code,address,lon,lat\nUP-1,上传路 1号,7.41,43.73\n" + new string('x', 20_000));

    [Theory]
    [InlineData("/api/imports", "a.csv")]
    [InlineData("/api/tilesets", "t.zip")]
    public async Task A_body_without_its_closing_boundary_is_400_the_upload_ended_early(string path, string fileName)
    {
        var tilesets = TempDirs.Make("cut-tilesets");
        try
        {
            await using var server = await pg.StartServerAsync(new() { ["GeoTwin:Twin3d:Directory"] = tilesets });
            await TwoStations.SeedAsync(server.Database.DataSource);
            using var admin = await Browser.SignedInAsync(server, "cutter", "admin", TwoStations.City);
            var content = new ByteArrayContent(CutForm(fileName));
            content.Headers.ContentType = MediaTypeHeaderValueOf();

            var response = await admin.PostAsync(path, content);

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("file: the upload ended early", await response.Content.ReadAsStringAsync());
        }
        finally
        {
            TempDirs.Remove(tilesets);
        }
    }

    static System.Net.Http.Headers.MediaTypeHeaderValue MediaTypeHeaderValueOf() =>
        System.Net.Http.Headers.MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");
}
